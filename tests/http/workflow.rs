//! The one-stop workflow through the officer pages: the whole path of an online dossier from
//! the desk to the returned result, and every refusal (wrong state, wrong role, stale page,
//! forged or unknown agency, extension without a reason, a second supplement request, a second
//! extension).

use crate::accounts::signed_in_citizen;
use crate::follow_up::dossier;
use crate::intake::{PDF, submit_dossier};
use crate::support::{Browser, Page, TestApp};
use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use dvc_portal::db::schema::{agencies, staff};
use dvc_portal::models::dossier::{Dossier, DossierEvent};
use dvc_portal::services::workflow::{self, Env};
use reqwest::multipart::{Form, Part};

/// Sets the test clock to a local (Asia/Ho_Chi_Minh) wall time.
pub fn set_local(app: &TestApp, (y, m, d, h, min): (i32, u32, u32, u32, u32)) {
    let utc = Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap_or_else(|| panic!("bad time"))
        - chrono::Duration::hours(7);
    app.clock.set(utc);
}

/// The dossier page as an officer sees it.
pub fn dossier_url(code: &str) -> String {
    format!("/can-bo/ho-so/{code}")
}

/// The version the page's form for `slug` carries (any form's if that one is not shown).
fn version_on(page: &Page, slug: &str) -> String {
    let doc = page.html();
    doc.attrs(&format!("form[action$='/{slug}'] input[name=version]"), "value")
        .into_iter()
        .next()
        .or_else(|| doc.attrs("input[name=version]", "value").into_iter().next())
        .unwrap_or_default()
}

/// Posts the action form `slug` of the dossier page like a browser (CSRF token and version
/// from the page), with `fields`.
pub async fn act(b: &Browser, code: &str, slug: &str, fields: &[(&str, &str)]) -> Page {
    let page = b.get(&dossier_url(code)).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let (token, version) = (page.csrf_token(), version_on(&page, slug));
    let mut all = vec![("csrf_token", token.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    b.post_raw(&format!("{}/{slug}", dossier_url(code)), &all).await
}

/// Posts an action at an explicit version (a page drawn earlier).
pub async fn act_at(b: &Browser, code: &str, slug: &str, version: i32, fields: &[(&str, &str)]) -> Page {
    let token = b.get("/can-bo").await.csrf_token();
    let version = version.to_string();
    let mut all = vec![("csrf_token", token.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    b.post_raw(&format!("{}/{slug}", dossier_url(code)), &all).await
}

/// Posts a multipart action (result files) like a browser.
pub async fn act_files(
    b: &Browser,
    code: &str,
    slug: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Page {
    let page = b.get(&dossier_url(code)).await;
    let mut form = Form::new().text("csrf_token", page.csrf_token()).text("version", version_on(&page, slug));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part("paper_0", Part::bytes(bytes.to_vec()).file_name(name.to_owned()));
    }
    let res = b
        .client
        .post(format!("{}{}/{slug}", b.address, dossier_url(code)))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {slug}: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    Page { status, headers, bytes }
}

/// The dossier's history.
pub fn events(app: &TestApp, code: &str) -> Vec<DossierEvent> {
    let d = dossier(app, code);
    Dossier::events(&mut app.conn(), &d.id).unwrap_or_else(|e| panic!("events: {e}"))
}

/// The progress e-mails of a dossier queued so far, as their `event` codes.
pub fn progress_mails(app: &TestApp, code: &str) -> Vec<String> {
    app.outbox("email")
        .into_iter()
        .filter(|m| m["message"]["template"] == "dossier_progress" && m["message"]["code"] == code)
        .map(|m| m["message"]["event"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// An agency's id by its national code.
pub fn agency_id(app: &TestApp, code: &str) -> String {
    agencies::table
        .filter(agencies::code.eq(code))
        .select(agencies::id)
        .first(&mut *app.conn())
        .unwrap_or_else(|e| panic!("agency {code}: {e}"))
}

/// A staff member's id by login.
pub fn staff_id(app: &TestApp, login: &str) -> String {
    staff::table
        .filter(staff::username.eq(login))
        .select(staff::id)
        .first(&mut *app.conn())
        .unwrap_or_else(|e| panic!("{login}: {e}"))
}

fn due_local(app: &TestApp, code: &str) -> String {
    dossier(app, code)
        .due_at
        .map(|t| dvc_portal::clock::to_local(t).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

/// Checks the state, the last history row and the mails after a step.
fn after_step(app: &TestApp, code: &str, status: i32, action: &str, mails: &[&str]) {
    let d = dossier(app, code);
    assert_eq!(d.status, status, "state after {action}");
    let last = events(app, code).pop().unwrap_or_else(|| panic!("no history"));
    assert_eq!(last.action, action);
    assert_eq!(last.to_status, status);
    assert_eq!(progress_mails(app, code), mails, "citizen mails after {action}");
}

/// The commune's desk receives the dossier.
pub async fn receive(app: &TestApp, code: &str) {
    let desk = app.staff("xa1.motcua").await;
    let res = act(&desk, code, "tiep-nhan", &[]).await;
    assert_eq!(res.status, 303, "{}", res.text());
}

/// The commune's desk assigns the dossier to xa1.chuyenvien (state 4, specialist step).
pub async fn assign(app: &TestApp, code: &str) {
    let desk = app.staff("xa1.motcua").await;
    let specialist = staff_id(app, "xa1.chuyenvien");
    let res = act(&desk, code, "giao-chuyen-vien", &[("specialist_id", &specialist)]).await;
    assert_eq!(res.status, 303, "{}", res.text());
}

/// A new citizen (lan@example.vn) and their dossier, received by the commune's desk at Wed
/// 25/11/2026 09:00.
pub async fn received_dossier(app: &TestApp) -> String {
    signed_in_citizen(app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(app).await;
    receive(app, &code).await;
    code
}

#[tokio::test]
async fn a_dossier_goes_from_the_desk_through_two_agencies_to_the_returned_result() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    let desk = app.staff("xa1.motcua").await;
    let queue = desk.get("/can-bo?hang=moi").await;
    assert_eq!(queue.status, 200, "{}", queue.text());
    assert_eq!(queue.html().texts("table.queue a.dossier-link"), std::slice::from_ref(&code));

    // Received Wed 25/11/2026 09:00; 1.001022 takes 3 working days → Mon 30/11/2026 09:00.
    let res = act(&desk, &code, "tiep-nhan", &[]).await;
    assert_eq!((res.status, res.location()), (303, dossier_url(&code)));
    after_step(&app, &code, 2, "receive", &["receive"]);
    assert_eq!(due_local(&app, &code), "30/11/2026 09:00");
    let page = desk.get(&dossier_url(&code)).await;
    let facts = page.html().texts(".dossier-summary .deadline");
    assert!(facts.contains(&"Hạn trả kết quả 30/11/2026 09:00".to_owned()), "{facts:?}");
    assert!(page.html().text(".dossier-summary .due").contains("Còn 3 ngày làm việc"));

    // Thu 26/11 10:00 the desk asks for a paper: the clock pauses.
    set_local(&app, (2026, 11, 26, 10, 0));
    let desk = app.staff("xa1.motcua").await;
    let missing = "Bản sao có chứng thực giấy khai sinh của người con";
    let res = act(&desk, &code, "yeu-cau-bo-sung", &[("missing", missing)]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    after_step(&app, &code, 5, "request_supplement", &["receive", "request_supplement"]);
    let slip = desk.get(&format!("{}/phieu/bo-sung", dossier_url(&code))).await;
    assert_eq!(slip.status, 200);
    assert_eq!(slip.html().texts(".slip-lines li"), [missing]);

    // Fri 27/11 14:00 the citizen supplies it: three full working days again → Wed 02/12 14:00.
    set_local(&app, (2026, 11, 27, 14, 0));
    let store = dvc_portal::files::FileStore::new(&app.jobs.config.data_dir);
    let env = Env { db: &app.db, clock: &app.clock, store: &store, base_url: "http://portal.test" };
    let d = dossier(&app, &code);
    let user = d.applicant_user_id.clone().unwrap_or_default();
    let file = dvc_portal::services::intake::IncomingFile {
        paper_position: 1,
        file_name: "ban-sao.pdf".into(),
        bytes: PDF.to_vec(),
    };
    workflow::supplement(env, &user, &code, d.version, "Đã bổ sung", vec![file])
        .await
        .unwrap_or_else(|e| panic!("supplement: {e:?}"));
    assert_eq!(dossier(&app, &code).status, 2);
    assert_eq!(due_local(&app, &code), "02/12/2026 14:00");

    // The desk assigns it to the commune's specialist.
    let desk = app.staff("xa1.motcua").await;
    let page = desk.get(&dossier_url(&code)).await;
    let options = page.html().texts("form[action$='/giao-chuyen-vien'] option");
    assert!(options.contains(&"Trần Văn Nam".to_owned()), "{options:?}");
    let specialist = staff_id(&app, "xa1.chuyenvien");
    let res = act(&desk, &code, "giao-chuyen-vien", &[("specialist_id", &specialist)]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    after_step(&app, &code, 4, "assign", &["receive", "request_supplement", "receive"]);
    assert_eq!(dossier(&app, &code).handler_staff_id.as_deref(), Some(specialist.as_str()));

    // The specialist sees it in their queue and transfers it to the Department of Justice.
    let spec = app.staff("xa1.chuyenvien").await;
    let mine = spec.get("/can-bo?hang=cua-toi").await;
    assert_eq!(mine.html().texts("table.queue a.dossier-link"), std::slice::from_ref(&code));
    let stp = agency_id(&app, "000.00.01.H56");
    let res =
        act(&spec, &code, "chuyen-lien-thong", &[("to_agency_id", &stp), ("note", "Đề nghị xác minh hộ tịch")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    after_step(&app, &code, 4, "transfer", &["receive", "request_supplement", "receive"]);
    assert_eq!(dossier(&app, &code).handler_agency_id.as_deref(), Some(stp.as_str()));
    assert_eq!(dossier(&app, &code).handler_step.as_deref(), Some("lien_thong"));

    // The department's specialist answers and sends it back.
    let stp_spec = app.staff("stp.chuyenvien").await;
    let theirs = stp_spec.get("/can-bo?hang=cua-toi").await;
    assert_eq!(theirs.html().texts("table.queue a.dossier-link"), std::slice::from_ref(&code));
    let res = act(&stp_spec, &code, "tra-lien-thong", &[("reply", "Thông tin hộ tịch khớp với sổ gốc")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    after_step(&app, &code, 4, "return_transfer", &["receive", "request_supplement", "receive"]);
    let d = dossier(&app, &code);
    assert_eq!(d.handler_agency_id, Some(d.agency_id.clone()));
    assert_eq!(d.handler_staff_id.as_deref(), Some(specialist.as_str()));
    let page = spec.get(&dossier_url(&code)).await;
    assert!(page.html().text("table.transfers").contains("Thông tin hộ tịch khớp với sổ gốc"));

    // The specialist proposes the result with its draft (a PDF).
    let res = act_files(
        &spec,
        &code,
        "trinh-ket-qua",
        &[("summary", "Đồng ý đăng ký nhận con")],
        Some(("trich-luc.pdf", PDF)),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text());
    after_step(&app, &code, 4, "propose_result", &["receive", "request_supplement", "receive"]);
    assert_eq!(dossier(&app, &code).handler_step.as_deref(), Some("lanh_dao"));

    // The leader approves: result ready, the citizen is told.
    let leader = app.staff("xa1.lanhdao").await;
    let page = leader.get(&dossier_url(&code)).await;
    assert_eq!(
        page.html().texts(".file-list a[download]"),
        ["to-khai.pdf", "van-ban.pdf", "cccd.pdf", "ban-sao.pdf", "trich-luc.pdf"]
    );
    let res = act_files(&leader, &code, "phe-duyet", &[("note", "Đồng ý")], None).await;
    assert_eq!(res.status, 303, "{}", res.text());
    after_step(&app, &code, 9, "approve", &["receive", "request_supplement", "receive", "approve"]);

    // The desk hands the result over.
    let res = act(&desk, &code, "tra-ket-qua", &[]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    after_step(
        &app,
        &code,
        10,
        "return_result",
        &["receive", "request_supplement", "receive", "approve", "return_result"],
    );
    let page = desk.get(&dossier_url(&code)).await;
    let history = page.html().texts("table.history-table tbody tr td:nth-child(2)");
    assert_eq!(
        history,
        [
            "Nộp hồ sơ trực tuyến",
            "Tiếp nhận hồ sơ",
            "Yêu cầu bổ sung giấy tờ",
            "Công dân bổ sung giấy tờ",
            "Chuyển chuyên viên xử lý",
            "Chuyển liên thông",
            "Cơ quan liên thông trả lại",
            "Trình lãnh đạo phê duyệt",
            "Lãnh đạo phê duyệt kết quả",
            "Trả kết quả",
        ]
    );
    assert!(page.html().text(".dossier-summary .due").contains("Hoàn thành đúng hạn"));
    assert_eq!(page.html().count(".action-form"), 0, "nothing left to do");
    let done = desk.get("/can-bo?hang=da-xong").await;
    assert_eq!(done.html().texts("table.queue a.dossier-link"), std::slice::from_ref(&code));
}

fn refusal(page: &Page) -> String {
    page.html().text(".error-summary")
}

#[tokio::test]
async fn actions_in_the_wrong_state_or_role_or_on_a_stale_page_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let code = received_dossier(&app).await;
    let before = dossier(&app, &code);

    // Approve in state 2.
    let leader = app.staff("xa1.lanhdao").await;
    let res = act_at(&leader, &code, "phe-duyet-khong-co", before.version, &[]).await;
    assert_eq!(res.status, 404, "an unknown action");
    let res = act_at(&leader, &code, "tra-lai", before.version, &[("note", "Xem lại")]).await;
    assert_eq!(res.status, 409);
    assert!(
        refusal(&res).contains("Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái «Đã tiếp nhận»"),
        "{}",
        refusal(&res)
    );
    assert_eq!(dossier(&app, &code), before);

    // Two officers act on the same page: the first wins, the second is told.
    let desk = app.staff("xa1.motcua").await;
    let specialist = staff_id(&app, "xa1.chuyenvien");
    let res = act_at(&desk, &code, "giao-chuyen-vien", before.version, &[("specialist_id", &specialist)]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let res = act_at(&leader, &code, "dung-xu-ly", before.version, &[("reason", "Không đủ điều kiện")]).await;
    assert_eq!(res.status, 409);
    assert!(refusal(&res).contains("Hồ sơ đã được người khác xử lý"), "{}", refusal(&res));
    assert_eq!(res.html().attrs("form[action$='/ghi-chu'] textarea", "name"), ["body"], "the page is drawn again");
    assert_eq!(dossier(&app, &code).status, 4);
    let assigned = dossier(&app, &code);

    // The desk tries to approve: not their role (the leader's step comes later, too).
    let res = act_at(&desk, &code, "phe-duyet", assigned.version, &[]).await;
    assert_eq!(res.status, 400, "a multipart action posted as a plain form is refused before anything");
    let res = act_files(&desk, &code, "phe-duyet", &[("note", "Duyệt")], None).await;
    assert!(matches!(res.status, 409), "{}", res.text());
    assert_eq!(dossier(&app, &code), assigned);

    // A forged agency (their own) and an agency that does not exist.
    let spec = app.staff("xa1.chuyenvien").await;
    let own = assigned.agency_id.clone();
    let res = act(&spec, &code, "chuyen-lien-thong", &[("to_agency_id", &own), ("note", "Xin ý kiến")]).await;
    assert_eq!(res.status, 422);
    assert!(refusal(&res).contains("Cơ quan nhận liên thông không tồn tại hoặc là chính cơ quan đang xử lý"));
    assert_eq!(res.html().attrs("#chuyen-lien-thong-note", "name"), ["note"]);
    assert_eq!(res.html().text("#chuyen-lien-thong-note"), "Xin ý kiến", "the input is kept");
    let res =
        act(&spec, &code, "chuyen-lien-thong", &[("to_agency_id", "khong-ton-tai"), ("note", "Xin ý kiến")]).await;
    assert_eq!(res.status, 422);
    assert_eq!(dossier(&app, &code), assigned);

    // An extension needs a reason; the second extension is refused.
    let res =
        act(&spec, &code, "gia-han", &[("new_due", "02/12/2026"), ("new_due_time", "16:00"), ("reason", "  ")]).await;
    assert_eq!(res.status, 422);
    assert!(refusal(&res).contains("Vui lòng nêu lý do gia hạn"), "{}", refusal(&res));
    assert_eq!(res.html().attrs("#gia-han-new_due", "value"), ["02/12/2026"]);
    assert_eq!(dossier(&app, &code), assigned);
    let res = act(
        &spec,
        &code,
        "gia-han",
        &[("new_due", "02/12/2026"), ("new_due_time", "16:00"), ("reason", "Chờ xác minh")],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let extended = dossier(&app, &code);
    assert_eq!(due_local(&app, &code), "02/12/2026 16:00");
    assert_eq!(progress_mails(&app, &code), ["receive", "extend"]);
    let page = spec.get(&dossier_url(&code)).await;
    assert_eq!(page.html().count("form[action$='/gia-han']"), 0, "extended once");
    let res =
        act_at(&spec, &code, "gia-han", extended.version, &[("new_due", "03/12/2026"), ("reason", "Lần hai")]).await;
    assert_eq!(res.status, 409);
    assert!(refusal(&res).contains("chỉ được hẹn lại một lần"), "{}", refusal(&res));

    // A second supplement request.
    let res = act(&spec, &code, "yeu-cau-bo-sung", &[("missing", "Bản sao sổ hộ khẩu")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let d = dossier(&app, &code);
    let store = dvc_portal::files::FileStore::new(&app.jobs.config.data_dir);
    let env = Env { db: &app.db, clock: &app.clock, store: &store, base_url: "http://portal.test" };
    workflow::supplement(env, &d.applicant_user_id.clone().unwrap_or_default(), &code, d.version, "Đã nộp", vec![])
        .await
        .unwrap_or_else(|e| panic!("supplement: {e:?}"));
    let back = dossier(&app, &code);
    assert_eq!((back.status, back.handler_step.as_deref()), (4, Some("chuyen_vien")));
    let res = act_at(&spec, &code, "yeu-cau-bo-sung", back.version, &[("missing", "Thêm giấy tờ")]).await;
    assert_eq!(res.status, 409);
    assert!(refusal(&res).contains("chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ một lần"), "{}", refusal(&res));
    assert_eq!(dossier(&app, &code), back);
}

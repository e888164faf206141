//! Online intake: drafts, attachments, submission, double submission, withdrawal, tracking.

use crate::accounts::{registration, signed_in_citizen};
use crate::support::{Page, TestApp};
use chrono::Duration;
use diesel::prelude::*;
use dvc_portal::db::schema::{agencies, attachments, dossier_events, dossiers, drafts};
use reqwest::multipart::{Form, Part};

pub const PROCEDURE: &str = "1.001022";
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// The commune code of the first commune agency of the demo province.
pub fn commune_code(app: &TestApp) -> String {
    let mut conn = app.conn();
    agencies::table
        .filter(agencies::code.eq("000.20.01.H56"))
        .select(agencies::admin_unit_code)
        .first::<Option<String>>(&mut *conn)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no commune agency"))
}

/// A complete, valid generic form.
pub fn valid_fields(commune: &str) -> Vec<(&'static str, String)> {
    vec![
        ("co_quan", "000.20.01.H56".into()),
        ("ho_ten", "Nguyễn Thị Lan".into()),
        ("so_dinh_danh", "038190012345".into()),
        ("ngay_sinh", "05/09/1990".into()),
        ("dien_thoai", "0912345678".into()),
        ("email", "".into()),
        ("noi_cu_tru_commune", commune.to_owned()),
        ("noi_cu_tru_detail", "Số 5 đường Lê Lợi".into()),
        ("noi_dung_de_nghi", "Đề nghị đăng ký nhận con.".into()),
    ]
}

/// Posts the form page's multipart form like a browser: CSRF token first, then the key.
pub async fn post_form(
    app: &TestApp,
    form_url: &str,
    action: &str,
    fields: &[(&str, String)],
    files: Vec<(usize, &str, Vec<u8>)>,
) -> Page {
    let page = app.get(form_url).await;
    assert_eq!(page.status, 200, "{form_url}: {}", page.text());
    let doc = page.html();
    let key = doc.attrs("input[name=submit_key]", "value").into_iter().next().unwrap_or_default();
    let post_to = doc.attrs("form.eform", "action").into_iter().next().unwrap_or_default();
    let mut form = Form::new().text("csrf_token", page.csrf_token()).text("submit_key", key);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    for (paper, name, bytes) in files {
        form = form.part(format!("paper_{paper}"), Part::bytes(bytes).file_name(name.to_owned()));
    }
    form = form.text("action", action.to_owned());
    multipart(app, &post_to, form).await
}

pub async fn multipart(app: &TestApp, path: &str, form: Form) -> Page {
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    Page { status, headers, bytes }
}

fn count(app: &TestApp, table: &str) -> i64 {
    let mut conn = app.conn();
    let c = &mut *conn;
    match table {
        "dossiers" => dossiers::table.count().get_result(c),
        "drafts" => drafts::table.count().get_result(c),
        "events" => dossier_events::table.count().get_result(c),
        _ => attachments::table.filter(attachments::dossier_id.is_not_null()).count().get_result(c),
    }
    .unwrap_or(-1)
}

/// Submits a complete dossier and returns its code.
pub async fn submit_dossier(app: &TestApp) -> String {
    let commune = commune_code(app);
    let files = vec![(0, "to-khai.pdf", PDF.to_vec()), (1, "van-ban.pdf", PDF.to_vec()), (2, "cccd.pdf", PDF.to_vec())];
    let res = post_form(app, &format!("/thu-tuc/{PROCEDURE}/nop"), "submit", &valid_fields(&commune), files).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let loc = res.location();
    loc.trim_start_matches("/tai-khoan/ho-so/").trim_end_matches("?moi=1").to_owned()
}

#[tokio::test]
async fn a_citizen_submits_a_dossier_online() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    assert!(code.starts_with("000.20.01.H56-261125-"), "{code}");
    assert!(code.ends_with("-00001"), "{code}");
    let receipt = app.get(&format!("/tai-khoan/ho-so/{code}?moi=1")).await;
    assert_eq!(receipt.status, 200);
    let doc = receipt.html();
    assert!(doc.text(".notice-success").contains("Đã nộp hồ sơ thành công"));
    assert!(doc.text(".receipt").contains(&code));
    assert!(doc.text(".receipt").contains("Mới đăng ký"));
    assert_eq!(doc.count(".receipt ul li"), 3, "three papers received");
    assert!(doc.text(".history").contains("Nộp hồ sơ trực tuyến"));
    assert_eq!(count(&app, "dossiers"), 1);
    assert_eq!(count(&app, "events"), 1);
    assert_eq!(count(&app, "files"), 3);
    let mails: Vec<_> =
        app.outbox("email").into_iter().filter(|m| m["message"]["template"] == "dossier_submitted").collect();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["message"]["code"], code.as_str());
    // The worker sends it over SMTP: the citizen receives the code.
    let report = app.run_pending_jobs().await;
    assert_eq!((report.dead, report.retried), (0, 0));
    let received = app.smtp.messages();
    let confirmation = received.iter().find(|m| m.text.contains(&code)).unwrap_or_else(|| {
        panic!("no mail with {code}: {:?}", received.iter().map(|m| &m.subject).collect::<Vec<_>>())
    });
    assert_eq!(confirmation.to, "lan@example.vn");
    assert!(confirmation.html.contains(&code));
    let list = app.get("/tai-khoan/ho-so").await;
    assert_eq!(list.html().texts("table.dossiers td a"), std::slice::from_ref(&code));
    // A second dossier the same day takes the next number.
    let second = submit_dossier(&app).await;
    assert!(second.ends_with("-00002"), "{second}");
}

#[tokio::test]
async fn mistakes_keep_the_input_and_the_files() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let commune = commune_code(&app);
    let mut fields = valid_fields(&commune);
    fields[1].1 = "".into(); // no name
    fields[3].1 = "31/02/1990".into(); // no such date
    let files = vec![
        (3, "cu-tru.pdf", PDF.to_vec()),
        (1, "anh.pdf", b"<html>not a pdf</html>".to_vec()),
        (2, "rong.pdf", Vec::new()),
    ];
    let res = post_form(&app, &format!("/thu-tuc/{PROCEDURE}/nop"), "submit", &fields, files).await;
    assert_eq!(res.status, 400, "{}", res.text());
    let doc = res.html();
    let summary = doc.attrs(".error-summary a", "href");
    assert_eq!(summary, ["#paper_1", "#paper_2"], "refused files are shown first, nothing submitted");
    assert!(doc.text("#paper_1-error").contains("không phải PDF"));
    assert!(doc.text("#paper_2-error").contains("rỗng"));
    let stored: Vec<(i32, String)> = {
        let mut conn = app.conn();
        attachments::table
            .select((attachments::paper_position, attachments::file_name))
            .load(&mut *conn)
            .unwrap_or_default()
    };
    assert_eq!(doc.texts(".attached a"), ["cu-tru.pdf"], "the good file was kept: {stored:?}");
    assert_eq!(doc.attrs("#noi_cu_tru_detail", "value"), ["Số 5 đường Lê Lợi"]);
    assert_eq!(count(&app, "dossiers"), 0);

    // Submit again without re-uploading the kept file: the field errors come now.
    let draft_url = format!("/thu-tuc/{PROCEDURE}/nop?ban-nhap={}", {
        let mut conn = app.conn();
        drafts::table.select(drafts::id).first::<String>(&mut *conn).unwrap_or_default()
    });
    let res = post_form(&app, &draft_url, "submit", &fields, vec![]).await;
    assert_eq!(res.status, 400);
    let summary = res.html().attrs(".error-summary a", "href");
    assert_eq!(
        summary,
        ["#ho_ten", "#ngay_sinh", "#paper_1"],
        "the declaration is the e-form; the ID is shown in person"
    );
    // Fix everything, adding only the two missing files.
    let files = vec![(1, "van-ban.pdf", PDF.to_vec()), (2, "cccd.pdf", PDF.to_vec())];
    let res = post_form(&app, &draft_url, "submit", &valid_fields(&commune), files).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(count(&app, "files"), 3);
}

#[tokio::test]
async fn a_double_submission_creates_one_dossier() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let commune = commune_code(&app);
    let page = app.get(&format!("/thu-tuc/{PROCEDURE}/nop")).await;
    let token = page.csrf_token();
    let key = page.html().attrs("input[name=submit_key]", "value").into_iter().next().unwrap_or_default();
    let build = || {
        let mut form = Form::new().text("csrf_token", token.clone()).text("submit_key", key.clone());
        for (k, v) in valid_fields(&commune) {
            form = form.text(k, v);
        }
        for p in 0..3 {
            form = form.part(format!("paper_{p}"), Part::bytes(PDF.to_vec()).file_name("a.pdf"));
        }
        form.text("action", "submit")
    };
    let path = format!("/thu-tuc/{PROCEDURE}/nop");
    let (a, b) = tokio::join!(multipart(&app, &path, build()), multipart(&app, &path, build()));
    let c = multipart(&app, &path, build()).await; // the back button and a retry
    for r in [&a, &b, &c] {
        assert_eq!(r.status, 303, "{}", r.text());
    }
    assert_eq!(count(&app, "dossiers"), 1);
    let target = |r: &Page| r.location().trim_end_matches("?moi=1").to_owned();
    assert_eq!(target(&a), target(&c));
    assert_eq!(target(&b), target(&c));
}

#[tokio::test]
async fn drafts_are_saved_and_survive_an_expired_session() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let form_url = format!("/thu-tuc/{PROCEDURE}/nop");
    let res = post_form(
        &app,
        &form_url,
        "save",
        &[("ho_ten", "Nguyễn Thị Lan".into())],
        vec![(1, "../../etc/to-khai.pdf", PDF.to_vec())],
    )
    .await;
    assert_eq!(res.status, 303);
    let draft_url = res.location().replace("&da-luu=1", "");
    let page = app.get(&res.location()).await;
    assert!(page.html().text(".notice-success").contains("Đã lưu nháp"));
    assert_eq!(page.html().attrs("#ho_ten", "value"), ["Nguyễn Thị Lan"]);
    assert_eq!(page.html().texts(".attached a"), ["to-khai.pdf"], "path stripped from the name");
    assert!(app.get("/tai-khoan/ho-so").await.html().text("main").contains("Đăng ký nhận cha, mẹ, con"));

    // The session expires while the form is open; the citizen's input is saved anyway.
    let open = app.get(&draft_url).await;
    app.clock.set(app.clock.now() + Duration::hours(3));
    let key = open.html().attrs("input[name=submit_key]", "value").into_iter().next().unwrap_or_default();
    let form = Form::new()
        .text("csrf_token", open.csrf_token())
        .text("submit_key", key)
        .text("ho_ten", "Nguyễn Thị Lan")
        .text("noi_dung_de_nghi", "Nội dung gõ trước khi hết phiên")
        .text("action", "submit");
    let res = multipart(&app, &format!("/thu-tuc/{PROCEDURE}/nop"), form).await;
    assert_eq!(res.status, 303);
    assert!(res.location().starts_with("/dang-nhap?tiep="), "{}", res.location());
    app.submit("/dang-nhap", "/dang-nhap", &[("email", "lan@example.vn"), ("password", crate::accounts::PASSWORD)])
        .await;
    let back = app.get(&draft_url).await;
    assert_eq!(back.html().text("#noi_dung_de_nghi"), "Nội dung gõ trước khi hết phiên");
    assert_eq!(count(&app, "dossiers"), 0, "not submitted without a live session");
}

#[tokio::test]
async fn submission_needs_a_confirmed_address() {
    let app = TestApp::spawn().await;
    app.submit("/dang-ky", "/dang-ky", &registration("u@example.vn", "038190012345")).await;
    app.submit("/dang-nhap", "/dang-nhap", &[("email", "u@example.vn"), ("password", crate::accounts::PASSWORD)]).await;
    let commune = commune_code(&app);
    let files = vec![(0, "a.pdf", PDF.to_vec()), (1, "b.pdf", PDF.to_vec()), (2, "c.pdf", PDF.to_vec())];
    let res = post_form(&app, &format!("/thu-tuc/{PROCEDURE}/nop"), "submit", &valid_fields(&commune), files).await;
    assert_eq!(res.status, 400);
    assert!(res.html().text(".error-summary").contains("xác nhận địa chỉ thư điện tử"));
    assert_eq!(count(&app, "dossiers"), 0);
}

#[tokio::test]
async fn files_are_refused_over_the_limit() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let res = post_form(
        &app,
        &format!("/thu-tuc/{PROCEDURE}/nop"),
        "save",
        &[("ho_ten", "Nguyễn Thị Lan".into())],
        vec![(1, "lon.pdf", big)],
    )
    .await;
    assert_eq!(res.status, 400);
    assert!(res.html().text("#paper_1-error").contains("vượt quá 10 MB"));
    assert_eq!(res.html().attrs("#ho_ten", "value"), ["Nguyễn Thị Lan"], "the text was kept");
    // A body far over the dossier limit is refused from its declared length, unread.
    let huge = vec![b'x'; 60 * 1024 * 1024];
    let page = app.get(&format!("/thu-tuc/{PROCEDURE}/nop")).await;
    let form = Form::new().text("csrf_token", page.csrf_token()).part("paper_0", Part::bytes(huge).file_name("x.pdf"));
    let res = multipart(&app, &format!("/thu-tuc/{PROCEDURE}/nop"), form).await;
    assert_eq!(res.status, 400);
    assert!(res.html().text("main").contains("vượt quá 50 MB"));
}

#[tokio::test]
async fn files_go_only_to_their_owner() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    let receipt = app.get(&format!("/tai-khoan/ho-so/{code}")).await;
    let link = receipt.html().attrs(".receipt ul a", "href").into_iter().next().unwrap_or_default();
    let file = app.get(&link).await;
    assert_eq!(file.status, 200);
    assert!(file.header("content-disposition").starts_with("attachment"));
    assert_eq!(file.bytes, PDF);
    app.submit("/tai-khoan", "/dang-xuat", &[]).await;
    signed_in_citizen(&app, "other@example.vn", "038190012399").await;
    assert_eq!(app.get(&link).await.status, 404);
    assert_eq!(app.get(&format!("/tai-khoan/ho-so/{code}")).await.status, 404);
}

#[tokio::test]
async fn a_citizen_withdraws_with_a_reason() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    let page = format!("/tai-khoan/ho-so/{code}/rut");
    let empty = app.submit(&page, &page, &[("reason", "  ")]).await;
    assert_eq!(empty.status, 400);
    assert!(empty.html().text("#reason-error").contains("lý do"));
    let ok = app.submit(&page, &page, &[("reason", "Nộp nhầm thủ tục")]).await;
    assert_eq!(ok.status, 303);
    let show = app.get(&format!("/tai-khoan/ho-so/{code}")).await;
    assert!(show.html().text(".receipt").contains("Đã rút hồ sơ"));
    assert_eq!(show.html().count("a[href$='/rut']"), 0, "no second withdrawal offered");
    let again = app.submit(&format!("/tai-khoan/ho-so/{code}"), &page, &[("reason", "lần nữa")]).await;
    assert_eq!(again.status, 400);
    assert!(again.html().text("main").contains("Đã rút hồ sơ"));
    assert!(app.outbox("email").iter().any(|m| m["message"]["template"] == "dossier_withdrawn"));
}

#[tokio::test]
async fn tracking_shows_progress_and_personal_data_only_with_a_second_factor() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    app.submit("/tai-khoan", "/dang-xuat", &[]).await;
    let public = app.get(&format!("/tra-cuu?ma={code}")).await;
    assert_eq!(public.status, 200);
    assert!(public.html().text("main").contains("Mới đăng ký"));
    assert!(!public.text().contains("Nguyễn Thị Lan"), "no name without the second factor");
    let wrong = app
        .submit(&format!("/tra-cuu?ma={code}"), "/tra-cuu", &[("ma", code.as_str()), ("xac_minh", "0987654321")])
        .await;
    assert_eq!(wrong.status, 400);
    assert!(!wrong.text().contains("Nguyễn Thị Lan"));
    let right = app
        .submit(&format!("/tra-cuu?ma={code}"), "/tra-cuu", &[("ma", code.as_str()), ("xac_minh", "+84 912 345 678")])
        .await;
    assert_eq!(right.status, 200);
    assert!(right.html().text(".applicant").contains("Nguyễn Thị Lan"));
    let bad = app.get("/tra-cuu?ma=khong-phai-ma").await;
    assert_eq!(bad.status, 404);
    assert!(bad.html().text("#ma-error").contains("không đúng định dạng"));
    let missing = app.get("/tra-cuu?ma=000.20.01.H56-261125-99999").await;
    assert!(missing.html().text("#ma-error").contains("Không tìm thấy"));
}

#[tokio::test]
async fn every_intake_table_loads_through_its_model() {
    use dvc_portal::db::schema::{login_failures, outbox, sessions, users};
    use dvc_portal::models::dossier::{Attachment, Dossier, DossierEvent, Draft};
    use dvc_portal::models::outbox::OutboxRow;
    use dvc_portal::models::session::Session;
    use dvc_portal::models::user::User;
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    app.submit("/tai-khoan", "/dang-nhap", &[("email", "x@example.vn"), ("password", "sai mật khẩu")]).await;
    submit_dossier(&app).await;
    let mut conn = app.conn();
    let c = &mut *conn;
    assert!(!users::table.select(User::as_select()).load(c).unwrap_or_default().is_empty());
    assert!(!sessions::table.select(Session::as_select()).load(c).unwrap_or_default().is_empty());
    assert!(login_failures::table.count().get_result::<i64>(c).unwrap_or(0) > 0);
    assert!(!outbox::table.select(OutboxRow::as_select()).load(c).unwrap_or_default().is_empty());
    assert!(!drafts::table.select(Draft::as_select()).load(c).unwrap_or_default().is_empty());
    assert!(!dossiers::table.select(Dossier::as_select()).load(c).unwrap_or_default().is_empty());
    assert!(!dossier_events::table.select(DossierEvent::as_select()).load(c).unwrap_or_default().is_empty());
    assert!(!attachments::table.select(Attachment::as_select()).load(c).unwrap_or_default().is_empty());
    let eforms: i64 = dvc_portal::db::schema::eforms::table.count().get_result(c).unwrap_or(0);
    assert_eq!(eforms, 6, "the six real e-forms are seeded");
    let counters: i64 = dvc_portal::db::schema::dossier_code_counters::table.count().get_result(c).unwrap_or(0);
    assert_eq!(counters, 1);
}

/// A valid answer for every input of an e-form, by field kind.
fn answers_for(definition: &dvc_portal::domain::form::FormDefinition, commune: &str) -> Vec<(String, String)> {
    use dvc_portal::domain::form::FieldKind;
    let mut out = Vec::new();
    for f in definition.fields() {
        match &f.kind {
            FieldKind::Text { .. } => out.push((f.name.clone(), "Nội dung thử nghiệm".to_owned())),
            FieldKind::Number { min, max } => out.push((f.name.clone(), ((*min).max(1).min(*max)).to_string())),
            FieldKind::Date { .. } => out.push((f.name.clone(), "01/01/2000".to_owned())),
            FieldKind::Select { options } => out.push((f.name.clone(), options[0].value.clone())),
            FieldKind::Address {} => {
                out.push((format!("{}_commune", f.name), commune.to_owned()));
                out.push((format!("{}_detail", f.name), "Số 1 đường Thử".to_owned()));
            }
            FieldKind::CitizenId {} => out.push((f.name.clone(), "038190012345".to_owned())),
            FieldKind::Phone {} => out.push((f.name.clone(), "0912345678".to_owned())),
            FieldKind::Email {} => out.push((f.name.clone(), "thu@example.vn".to_owned())),
        }
    }
    out
}

#[tokio::test]
async fn each_of_the_six_real_forms_can_be_submitted() {
    use dvc_portal::domain::catalogue::{OnlinePaper, online_paper};
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let commune = commune_code(&app);
    for code in ["1.001193", "1.000894", "1.004222", "1.001612", "3.000333", "2.000815"] {
        let json =
            std::fs::read_to_string(format!("{}/refdata/catalogue/eforms/{code}.json", env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_else(|e| panic!("{code}: {e}"));
        let definition =
            dvc_portal::domain::form::FormDefinition::parse_json(&json).unwrap_or_else(|e| panic!("{code}: {e}"));
        let mut fields = answers_for(&definition, &commune);
        fields.push(("co_quan".to_owned(), "000.20.01.H56".to_owned()));
        let detail = app.get(&format!("/api/v1/procedures/{code}")).await.json();
        let files: Vec<(usize, &str, Vec<u8>)> = detail["papers"]
            .as_array()
            .map(|papers| {
                papers
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        p["mandatory"] == true
                            && online_paper(p["name"].as_str().unwrap_or_default()) == OnlinePaper::Upload
                    })
                    .map(|(i, _)| (i, "giay-to.pdf", PDF.to_vec()))
                    .collect()
            })
            .unwrap_or_default();
        let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let res = post_form(&app, &format!("/thu-tuc/{code}/nop"), "submit", &fields, files).await;
        assert_eq!(res.status, 303, "{code}: {:?}", res.html().texts(".error-summary li"));
        let receipt = app.get(&res.location()).await;
        // "Toàn trình" procedures with a fee that applies to an online dossier wait for payment
        // before the desk sees them (thường trú 10.000 đ online, hộ kinh doanh 100.000 đ, lý
        // lịch tư pháp 200.000 đ); the others are new at the desk.
        let doc = receipt.html();
        if ["1.004222", "1.001612", "3.000333"].contains(&code) {
            assert!(doc.text(".receipt").contains("Chờ thực hiện nghĩa vụ tài chính"), "{code}");
            assert!(doc.text("section.payments").contains("Tổng cộng"), "{code}");
        } else if !doc.text(".receipt").contains("Mới đăng ký") {
            // Khai sinh charges only for copies asked for (8.000 đ each).
            assert_eq!(code, "1.001193");
            assert!(doc.text("section.payments").contains("8.000 đ"), "{code}");
        }
    }
    assert_eq!(count(&app, "dossiers"), 6);
}

#[tokio::test]
async fn addresses_can_be_anywhere_in_the_country() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let form_url = format!("/thu-tuc/{PROCEDURE}/nop");
    let fresh = app.get(&form_url).await;
    assert_eq!(
        fresh.html().attrs("#noi_cu_tru_province option[selected]", "value"),
        ["38"],
        "the portal's own province first"
    );
    assert!(fresh.html().count("#noi_cu_tru_commune option") > 100);
    // Without JavaScript: choose Hà Nội and press "Cập nhật danh sách xã".
    let res = post_form(&app, &form_url, "refresh", &[("noi_cu_tru_province", "01".into())], vec![]).await;
    assert_eq!(res.status, 303);
    let page = app.get(&res.location()).await;
    assert_eq!(page.html().attrs("#noi_cu_tru_province option[selected]", "value"), ["01"]);
    assert_eq!(page.html().count("#noi_cu_tru_commune option[value='00004']"), 1, "Phường Ba Đình is offered");
    let mut fields = valid_fields("00004");
    fields.push(("noi_cu_tru_province", "01".into()));
    let draft_url = res.location().replace("&da-luu=1", "");
    let files = vec![(1, "van-ban.pdf", PDF.to_vec())];
    let done = post_form(&app, &draft_url, "submit", &fields, files).await;
    assert_eq!(done.status, 303, "{:?}", done.html().texts(".error-summary li"));
    let receipt = app.get(&done.location()).await;
    assert!(receipt.html().text("main").contains("Phường Ba Đình"), "the address is shown with its commune");
}

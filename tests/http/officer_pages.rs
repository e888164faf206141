//! The officer pages: queues (counts, search, filters, pages, due dates in words), counter
//! intake, files, notes, printable slips, the agency scope of every route, and no half-changed
//! dossier when the e-mail cannot be queued.

use crate::accounts::signed_in_citizen;
use crate::follow_up::dossier;
use crate::intake::{PDF, submit_dossier};
use crate::support::{Browser, Page, TestApp, postgres_url};
use crate::workflow::{act, act_files, dossier_url, events, progress_mails, received_dossier, set_local, staff_id};
use diesel::connection::SimpleConnection;
use reqwest::multipart::{Form, Part};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
const DOCX: &[u8] = b"PK\x03\x04\x14\0\0\0\x08\0word/document.xml";

async fn post_multipart(b: &Browser, path: &str, form: Form) -> Page {
    let res = b
        .client
        .post(format!("{}{path}", b.address))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    Page { status, headers, bytes }
}

/// A walk-in dossier form: the CSRF token first, then the fields and files.
fn counter_form(
    token: &str,
    procedure: &str,
    name: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Form {
    let mut form = Form::new()
        .text("csrf_token", token.to_owned())
        .text("procedure_code", procedure.to_owned())
        .text("name", name.to_owned())
        .text("id_number", "038190012345")
        .text("phone", "0912345678")
        .text("address", "Số 5 đường Lê Lợi");
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (field, file_name, bytes) in files {
        form = form.part(field.to_string(), Part::bytes(bytes.to_vec()).file_name(file_name.to_string()));
    }
    form
}

/// Records a walk-in dossier at the commune's desk and returns its code.
async fn counter_intake(desk: &Browser, procedure: &str, name: &str) -> String {
    let token = desk.get(&format!("/can-bo/tiep-nhan?thu_tuc={procedure}")).await.csrf_token();
    let res =
        post_multipart(desk, "/can-bo/tiep-nhan", counter_form(&token, procedure, name, &[("giay_to_0", "1")], &[]))
            .await;
    assert_eq!(res.status, 303, "{}", res.text());
    res.location().trim_start_matches("/can-bo/ho-so/").trim_end_matches("?moi=1").to_owned()
}

/// The codes listed on a queue page.
fn listed(page: &Page) -> Vec<String> {
    page.html().texts("table.queue a.dossier-link")
}

/// The queue counts of the navigation, as `(slug, count)`.
fn nav_counts(page: &Page) -> Vec<(String, usize)> {
    let doc = page.html();
    let slugs = doc.attrs(".queue-nav a", "data-queue");
    let counts = doc.texts(".queue-nav .count");
    slugs
        .into_iter()
        .zip(counts)
        .map(|(s, c)| (s, c.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX)))
        .collect()
}

#[tokio::test]
async fn queues_count_search_filter_sort_and_page() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let online = submit_dossier(&app).await;
    let desk = app.staff("xa1.motcua").await;
    let an = counter_intake(&desk, "1.001022", "Nguyễn Văn An").await;
    for _ in 0..20 {
        counter_intake(&desk, "1.001022", "Trần Thị Bình").await;
    }
    // Đăng ký khai sinh: one working day → Thu 26/11 09:00.
    let cuong = counter_intake(&desk, "1.001193", "Lê Đức Cường").await;
    set_local(&app, (2026, 11, 26, 8, 0));
    let desk = app.staff("xa1.motcua").await;
    let dung = counter_intake(&desk, "1.001022", "Phạm Minh Dũng").await;

    let page = desk.get("/can-bo").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let counts = nav_counts(&page);
    let expected: Vec<(String, usize)> = [
        ("moi", 1),
        ("cua-toi", 24),
        ("bo-sung", 0),
        ("thanh-toan", 0),
        ("sap-den-han", 1),
        ("qua-han", 0),
        ("tra-ket-qua", 0),
        ("da-xong", 0),
    ]
    .iter()
    .map(|(s, n)| (s.to_string(), *n))
    .collect();
    assert_eq!(counts, expected);
    assert_eq!(listed(&page), std::slice::from_ref(&online), "the desk starts at the new dossiers");
    // Every count matches its list.
    for (slug, count) in &counts {
        let mut seen = Vec::new();
        let mut url = format!("/can-bo?hang={slug}");
        loop {
            let p = desk.get(&url).await;
            assert_eq!(p.status, 200);
            seen.extend(listed(&p));
            match p.html().attrs(".pager a[rel=next]", "href").into_iter().next() {
                Some(next) => url = next,
                None => break,
            }
        }
        assert_eq!(seen.len(), *count, "{slug}");
    }
    // Due soon, in colour and in words.
    let soon = desk.get("/can-bo?hang=sap-den-han").await;
    assert_eq!(listed(&soon), std::slice::from_ref(&cuong));
    assert_eq!(soon.html().text("table.queue .due-soon"), "Còn 1 giờ làm việc");
    // Pages of 20, newest-first by request, due first by default.
    let first = desk.get("/can-bo?hang=cua-toi").await;
    assert_eq!(listed(&first).len(), 20);
    assert_eq!(listed(&first)[0], cuong, "nearest due date first");
    assert_eq!(first.html().texts(".pager a"), ["Trang sau"]);
    let second = desk.get("/can-bo?hang=cua-toi&trang=2").await;
    assert_eq!(listed(&second).len(), 4);
    assert_eq!(second.html().texts(".pager a"), ["Trang trước"]);
    assert_eq!(listed(&second).last(), Some(&online), "no due date last");
    let by_submission = desk.get("/can-bo?hang=cua-toi&sap_xep=nop").await;
    assert_eq!(listed(&by_submission)[0], dung);
    // Search without diacritics, by name or code.
    let found = desk.get("/can-bo?hang=cua-toi&q=nguyen+van+an").await;
    assert_eq!(listed(&found), std::slice::from_ref(&an));
    assert_eq!(found.html().text("table.queue .applicant"), "Nguyễn Văn An");
    let found = desk.get(&format!("/can-bo?hang=cua-toi&q={}", &dung[dung.len() - 12..])).await;
    assert_eq!(listed(&found), std::slice::from_ref(&dung));
    assert_eq!(listed(&desk.get("/can-bo?hang=cua-toi&q=100%25").await).len(), 0, "LIKE wildcards are literal");
    // Filters: procedure, state, submission dates.
    assert_eq!(listed(&desk.get("/can-bo?hang=cua-toi&thu_tuc=1.001193").await), std::slice::from_ref(&cuong));
    assert_eq!(listed(&desk.get("/can-bo?hang=cua-toi&trang_thai=1").await), std::slice::from_ref(&online));
    assert_eq!(listed(&desk.get("/can-bo?hang=cua-toi&tu=26/11/2026").await), std::slice::from_ref(&dung));
    let until = desk.get("/can-bo?hang=cua-toi&den=25/11/2026").await;
    assert_eq!(until.html().text(".result-count"), "23 hồ sơ — trang 1/2");
    let bad = desk.get("/can-bo?hang=cua-toi&tu=31/02/2026").await;
    assert!(bad.html().text(".error-summary").contains("Ngày lọc không hợp lệ"));
    // An hour after its due time the birth registration is overdue.
    set_local(&app, (2026, 11, 26, 10, 0));
    let desk = app.staff("xa1.motcua").await;
    let late = desk.get("/can-bo?hang=qua-han").await;
    assert_eq!(listed(&late), std::slice::from_ref(&cuong));
    assert_eq!(late.html().text("table.queue .due-overdue"), "Quá hạn 1 giờ làm việc");
    // The specialist's queue holds only what is assigned to them; the specialist sees no desk queues.
    let spec = app.staff("xa1.chuyenvien").await;
    let page = spec.get("/can-bo").await;
    assert!(!nav_counts(&page).iter().any(|(s, _)| s == "moi"));
    assert_eq!(listed(&page).len(), 0);
    let specialist = staff_id(&app, "xa1.chuyenvien");
    let res = act(&desk, &an, "giao-chuyen-vien", &[("specialist_id", &specialist)]).await;
    assert_eq!(res.status, 303);
    assert_eq!(listed(&spec.get("/can-bo").await), std::slice::from_ref(&an));
    // Another agency's queues are empty.
    let stp = app.staff("stp.motcua").await;
    let page = stp.get("/can-bo?hang=cua-toi").await;
    assert!(nav_counts(&page).iter().all(|(_, n)| *n == 0), "{:?}", nav_counts(&page));
}

#[tokio::test]
async fn another_agency_gets_not_found_on_every_route_of_a_commune_dossier() {
    let app = TestApp::spawn().await;
    let code = received_dossier(&app).await;
    let desk = app.staff("xa1.motcua").await;
    let res =
        desk.submit(&dossier_url(&code), &format!("{}/ghi-chu", dossier_url(&code)), &[("body", "Đã kiểm tra")]).await;
    assert_eq!(res.status, 303);
    let file_id = dossier_files(&desk.get(&dossier_url(&code)).await)[0].clone();
    let gets = [
        dossier_url(&code),
        format!("{}/tep/{file_id}", dossier_url(&code)),
        format!("{}/tep/{file_id}/xem", dossier_url(&code)),
        format!("{}/phieu/tiep-nhan", dossier_url(&code)),
        format!("{}/phieu/bo-sung", dossier_url(&code)),
        format!("{}/phieu/tu-choi", dossier_url(&code)),
        format!("{}/phieu/xin-loi", dossier_url(&code)),
    ];
    assert_eq!(desk.get(&gets[0]).await.status, 200);
    assert_eq!(desk.get(&gets[1]).await.status, 200);
    assert_eq!(desk.get(&gets[3]).await.status, 200);
    let version = dossier(&app, &code).version;
    let slugs = [
        "tiep-nhan",
        "tu-choi",
        "yeu-cau-bo-sung",
        "giao-chuyen-vien",
        "chuyen-lien-thong",
        "tra-lien-thong",
        "tra-lai",
        "dung-xu-ly",
        "tra-ket-qua",
        "gia-han",
        "ghi-chu",
    ];
    for login in ["stp.motcua", "stp.chuyenvien", "stp.lanhdao"] {
        let other = app.staff(login).await;
        for url in &gets {
            assert_eq!(other.get(url).await.status, 404, "{login} GET {url}");
        }
        let token = other.get("/can-bo").await.csrf_token();
        let v = version.to_string();
        let stp = crate::workflow::agency_id(&app, "000.00.01.H56");
        for slug in slugs {
            let fields = [
                ("csrf_token", token.as_str()),
                ("version", v.as_str()),
                ("reason", "Lý do"),
                ("missing", "Thiếu"),
                ("note", "Ghi chú"),
                ("reply", "Trả lời"),
                ("body", "Ghi chú"),
                ("to_agency_id", stp.as_str()),
                ("new_due", "04/12/2026"),
            ];
            let res = other.post_raw(&format!("{}/{slug}", dossier_url(&code)), &fields).await;
            assert_eq!(res.status, 404, "{login} POST {slug}: {}", res.text());
        }
        for slug in ["trinh-ket-qua", "phe-duyet"] {
            let form =
                Form::new().text("csrf_token", token.clone()).text("version", v.clone()).text("summary", "Kết quả");
            let res = post_multipart(&other, &format!("{}/{slug}", dossier_url(&code)), form).await;
            assert_eq!(res.status, 404, "{login} POST {slug}");
        }
    }
    assert_eq!(dossier(&app, &code).version, version, "nothing changed");
    assert_eq!(events(&app, &code).len(), 2);
}

fn dossier_files(page: &Page) -> Vec<String> {
    page.html()
        .attrs(".file-list a[download]", "href")
        .into_iter()
        .map(|h| h.rsplit('/').next().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn counter_intake_records_a_walk_in_dossier_received_at_once() {
    let app = TestApp::spawn().await;
    let spec = app.staff("xa1.chuyenvien").await;
    assert_eq!(spec.get("/can-bo/tiep-nhan").await.status, 403, "the desk only");
    let token = spec.get("/can-bo").await.csrf_token();
    let res =
        post_multipart(&spec, "/can-bo/tiep-nhan", counter_form(&token, "1.001022", "Hà Văn Khoa", &[], &[])).await;
    assert_eq!(res.status, 403);

    let desk = app.staff("xa1.motcua").await;
    let choose = desk.get("/can-bo/tiep-nhan").await;
    assert_eq!(choose.status, 200);
    assert!(choose.html().attrs("select#thu_tuc option", "value").contains(&"1.001022".to_owned()));
    let form = desk.get("/can-bo/tiep-nhan?thu_tuc=1.001022").await;
    let papers = form.html().texts(".counter-papers .choice label");
    assert_eq!(papers.len(), 4, "{papers:?}");
    // A wrong ID number: the page again, the input kept.
    let token = form.csrf_token();
    let bad = counter_form(&token, "1.001022", "Hà Văn Khoa", &[("id_number", "123")], &[]);
    let res = post_multipart(&desk, "/can-bo/tiep-nhan", bad).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.html().count(".error-summary a[href='#id_number']"), 1);
    assert_eq!(res.html().attrs("#name", "value"), ["Hà Văn Khoa"]);
    // Papers 0 and 2 received, the first scanned, an e-mail for notices.
    let fields =
        [("giay_to_0", "1"), ("giay_to_2", "1"), ("email", "khoa@example.vn"), ("note", "Bản chính đã đối chiếu")];
    let form = counter_form(&token, "1.001022", "Hà Văn Khoa", &fields, &[("paper_0", "to-khai.pdf", PDF)]);
    let res = post_multipart(&desk, "/can-bo/tiep-nhan", form).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let code = res.location().trim_start_matches("/can-bo/ho-so/").trim_end_matches("?moi=1").to_owned();
    let page = desk.get(&res.location()).await;
    assert_eq!(page.html().attrs(".notice-success a", "href"), [format!("/can-bo/ho-so/{code}/phieu/tiep-nhan")]);
    let d = dossier(&app, &code);
    assert_eq!((d.status, d.channel.as_str()), (2, "truc-tiep"));
    assert_eq!(events(&app, &code)[0].action, "counter_intake");
    assert_eq!(progress_mails(&app, &code), ["counter_intake"]);
    assert!(page.html().text("section[aria-labelledby=values-title]").contains("Bản chính đã đối chiếu"));
    assert_eq!(dossier_files(&page).len(), 1);
    assert!(page.html().texts(".file-list").iter().any(|t| t.contains("to-khai.pdf")));
    // The receipt (Mẫu 01): papers ticked, received and due times.
    let slip = desk.get(&format!("/can-bo/ho-so/{code}/phieu/tiep-nhan")).await;
    assert_eq!(slip.status, 200);
    let doc = slip.html();
    assert_eq!(doc.text(".form-no"), "Mẫu số 01");
    assert_eq!(doc.texts(".slip-papers tbody tr").len(), 2);
    assert_eq!(doc.text(".received"), "09 giờ 00 phút, ngày 25 tháng 11 năm 2026");
    assert_eq!(doc.text(".due-time"), "09 giờ 00 phút, ngày 30 tháng 11 năm 2026");
    assert!(doc.text(".signatures").contains("Lê Thị Hoa"), "the receiving officer");
}

#[tokio::test]
async fn files_download_always_and_preview_only_images_and_pdf_in_a_sandbox() {
    let app = TestApp::spawn().await;
    let desk = app.staff("xa1.motcua").await;
    let token = desk.get("/can-bo/tiep-nhan?thu_tuc=1.001022").await.csrf_token();
    let files: [(&str, &str, &[u8]); 3] =
        [("paper_0", "to-khai.pdf", PDF), ("paper_1", "anh.png", PNG), ("paper_2", "don.docx", DOCX)];
    let res =
        post_multipart(&desk, "/can-bo/tiep-nhan", counter_form(&token, "1.001022", "Hà Văn Khoa", &[], &files)).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let url = res.location().trim_end_matches("?moi=1").to_owned();
    let page = desk.get(&url).await;
    let ids = dossier_files(&page);
    assert_eq!(ids.len(), 3);
    assert_eq!(page.html().count(".file-list a.preview-link"), 2, "no preview for DOCX");
    for (id, (_, name, bytes)) in ids.iter().zip(files) {
        let dl = desk.get(&format!("{url}/tep/{id}")).await;
        assert_eq!(dl.status, 200);
        assert!(dl.header("content-disposition").starts_with("attachment"), "{}", dl.header("content-disposition"));
        assert!(dl.header("content-disposition").contains(name));
        assert_eq!(dl.bytes, bytes);
        let view = desk.get(&format!("{url}/tep/{id}/xem")).await;
        if name.ends_with(".docx") {
            assert_eq!(view.status, 404, "never inline");
        } else {
            assert_eq!(view.status, 200);
            assert!(view.header("content-disposition").starts_with("inline"));
            assert_eq!(view.header("content-security-policy"), "sandbox");
            assert_eq!(view.header("x-content-type-options"), "nosniff");
        }
    }
    // A file of another dossier under this dossier's address is not found.
    let other = received_dossier(&app).await;
    let other_file = dossier_files(&desk.get(&dossier_url(&other)).await)[0].clone();
    assert_eq!(desk.get(&format!("{url}/tep/{other_file}")).await.status, 404);
}

#[tokio::test]
async fn notes_and_slips() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    let desk = app.staff("xa1.motcua").await;
    for kind in ["tiep-nhan", "bo-sung", "tu-choi", "xin-loi", "khac"] {
        assert_eq!(
            desk.get(&format!("{}/phieu/{kind}", dossier_url(&code))).await.status,
            404,
            "{kind} before it applies"
        );
    }
    // Notes between staff.
    let notes = format!("{}/ghi-chu", dossier_url(&code));
    let res = desk.submit(&dossier_url(&code), &notes, &[("body", " ")]).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.html().count(".error-summary a[href='#ghi-chu-body']"), 1);
    let res = desk.submit(&dossier_url(&code), &notes, &[("body", "Người nộp hẹn bổ sung bản chính")]).await;
    assert_eq!((res.status, res.location()), (303, format!("{}#ghi-chu", dossier_url(&code))));
    let page = desk.get(&dossier_url(&code)).await;
    assert_eq!(page.html().texts(".notes li p:last-child"), ["Người nộp hẹn bổ sung bản chính"]);
    assert!(page.html().text(".notes").contains("Lê Thị Hoa"));
    // Refused at intake: Mẫu 03 with the reason.
    let res = act(&desk, &code, "tu-choi", &[("reason", "Thủ tục không thuộc thẩm quyền của xã")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let slip = desk.get(&format!("{}/phieu/tu-choi", dossier_url(&code))).await;
    assert_eq!(slip.status, 200);
    assert_eq!(slip.html().text(".form-no"), "Mẫu số 03");
    assert_eq!(slip.html().texts(".slip-lines li"), ["Thủ tục không thuộc thẩm quyền của xã"]);
    assert_eq!(progress_mails(&app, &code), ["refuse"]);
    let page = desk.get(&dossier_url(&code)).await;
    assert_eq!(page.html().attrs(".slip-links a", "href"), [format!("{}/phieu/tu-choi", dossier_url(&code))]);

    // Extended: Mẫu 04 with the old and the new appointment.
    let code = submit_dossier(&app).await;
    crate::workflow::receive(&app, &code).await;
    crate::workflow::assign(&app, &code).await;
    let spec = app.staff("xa1.chuyenvien").await;
    let res =
        act(&spec, &code, "gia-han", &[("new_due", "03/12/2026"), ("reason", "Chờ kết quả xác minh; Từ Sở Tư pháp")])
            .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let slip = spec.get(&format!("{}/phieu/xin-loi", dossier_url(&code))).await;
    assert_eq!(slip.status, 200);
    let doc = slip.html();
    assert_eq!(doc.text(".form-no"), "Mẫu số 04");
    assert!(doc.text(".slip").contains("09 giờ 00 phút, ngày 30 tháng 11 năm 2026"));
    assert_eq!(doc.text(".new-due"), "17 giờ 00 phút, ngày 03 tháng 12 năm 2026");
    assert_eq!(doc.texts(".slip-lines li"), ["Chờ kết quả xác minh", "Từ Sở Tư pháp"]);
    // The proposal with a file that is not a document is refused with the file kept out.
    let res =
        act_files(&spec, &code, "trinh-ket-qua", &[("summary", "Đồng ý")], Some(("virus.exe", b"MZ\x90\0"))).await;
    assert_eq!(res.status, 422);
    assert!(res.html().text(".error-summary").contains("virus"), "{}", res.html().text(".error-summary"));
    assert_eq!(res.html().text("#trinh-ket-qua-summary"), "Đồng ý");
}

#[tokio::test]
async fn a_failed_mail_enqueue_leaves_the_dossier_as_it_was() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    let before = dossier(&app, &code);
    let sql = if postgres_url().is_some() {
        "CREATE FUNCTION refuse_outbox() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$ LANGUAGE plpgsql; \
         CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox();"
    } else {
        "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END;"
    };
    app.conn().batch_execute(sql).unwrap_or_else(|e| panic!("trigger: {e}"));
    let desk = app.staff("xa1.motcua").await;
    let res = act(&desk, &code, "tiep-nhan", &[]).await;
    assert_eq!(res.status, 500);
    assert_eq!(dossier(&app, &code), before, "state, version and due date unchanged");
    assert_eq!(events(&app, &code).len(), 1, "no history row");
    let drop =
        if postgres_url().is_some() { "DROP TRIGGER refuse_outbox ON outbox" } else { "DROP TRIGGER refuse_outbox" };
    app.conn().batch_execute(drop).unwrap_or_else(|e| panic!("drop: {e}"));
    let res = act(&desk, &code, "tiep-nhan", &[]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(dossier(&app, &code).status, 2);
}

//! Administration (`/quan-tri`): who may enter, agencies, staff and their invitations, the
//! catalogue, holidays, and the append-only audit log.

mod catalogue;
mod holidays;

use crate::accounts::signed_in_citizen;
use crate::support::{Browser, Page, STAFF_PASSWORD, TestApp};
use chrono::Duration;
use diesel::prelude::*;
use dvc_portal::db::schema::{agencies, audit_log, staff};
use dvc_portal::models::agency::Agency;
use dvc_portal::models::staff::Staff;
use dvc_portal::models::workflow::AuditEntry;
use scraper::{Html, Selector};

/// The demo administrator, signed in.
pub async fn admin(app: &TestApp) -> Browser {
    app.staff("quantri").await
}

/// The audit entries of one kind of thing, oldest first.
pub fn audit_of(app: &TestApp, entity: &str) -> Vec<AuditEntry> {
    let mut conn = app.conn();
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .order((audit_log::at, audit_log::id))
        .select(AuditEntry::as_select())
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("audit: {e}"))
}

/// Every field a browser would send for the form posting to `action`, as the page shows it.
pub fn form_fields(page: &Page, action: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(&page.text());
    let sel = |css: &str| Selector::parse(css).unwrap_or_else(|e| panic!("{css}: {e}"));
    let form = doc
        .select(&sel(&format!("form[action='{action}']")))
        .next()
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let mut fields = Vec::new();
    for el in form.select(&sel("input, select, textarea")) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        if name == "csrf_token" {
            continue;
        }
        let value = match v.name() {
            "textarea" => el.text().collect::<String>(),
            "select" => el
                .select(&sel("option[selected]"))
                .next()
                .or_else(|| el.select(&sel("option")).next())
                .and_then(|o| o.value().attr("value"))
                .unwrap_or_default()
                .to_owned(),
            _ => match v.attr("type").unwrap_or("text") {
                "checkbox" | "radio" if v.attr("checked").is_none() => continue,
                "submit" | "button" => continue,
                _ => v.attr("value").unwrap_or_default().to_owned(),
            },
        };
        fields.push((name.to_owned(), value));
    }
    fields
}

/// Sets (or adds) a field.
pub fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some((_, v)) => *v = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

/// Posts `fields` as they are to `action`, with the CSRF token of `form_page`.
pub async fn post_fields(b: &Browser, form_page: &str, action: &str, fields: &[(String, String)]) -> Page {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.submit(form_page, action, &refs).await
}

/// The messages of a page's error summary.
pub fn summary(page: &Page) -> Vec<String> {
    page.html().texts(".error-summary li")
}

#[tokio::test]
async fn officers_citizens_and_strangers_are_kept_out_of_every_admin_page() {
    let app = TestApp::spawn().await;
    let gets = [
        "/quan-tri",
        "/quan-tri/co-quan",
        "/quan-tri/co-quan/moi",
        "/quan-tri/co-quan/000.20.01.H56",
        "/quan-tri/can-bo",
        "/quan-tri/can-bo/moi",
        "/quan-tri/can-bo/xa1.motcua",
        "/quan-tri/thu-tuc",
        "/quan-tri/thu-tuc/moi",
        "/quan-tri/thu-tuc/1.001022",
        "/quan-tri/ngay-nghi?nam=2027",
        "/quan-tri/ngay-nghi/2027-02-08",
        "/quan-tri/nhat-ky",
        "/quan-tri/dong-bo",
    ];
    let posts = [
        "/quan-tri/co-quan/moi",
        "/quan-tri/co-quan/000.20.01.H56",
        "/quan-tri/can-bo/moi",
        "/quan-tri/can-bo/xa1.motcua",
        "/quan-tri/can-bo/xa1.motcua/gui-loi-moi",
        "/quan-tri/thu-tuc/moi",
        "/quan-tri/thu-tuc/1.001022",
        "/quan-tri/ngay-nghi",
        "/quan-tri/ngay-nghi/2027-02-08",
        "/quan-tri/ngay-nghi/2027-02-08/xoa",
        "/quan-tri/dong-bo/gui-lai",
    ];
    let officer = app.staff("xa1.motcua").await;
    let leader = app.staff("tinh.lanhdao").await;
    let stranger = app.new_browser();
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    for path in gets {
        assert_eq!(officer.get(path).await.status, 403, "officer GET {path}");
        assert_eq!(leader.get(path).await.status, 403, "leader GET {path}");
        let res = stranger.get(path).await;
        assert_eq!(res.status, 303, "stranger GET {path}");
        assert!(res.location().starts_with("/can-bo/dang-nhap?tiep=/quan-tri"), "{path}: {}", res.location());
        let res = app.get(path).await;
        assert_eq!(res.status, 303, "citizen GET {path}");
        assert!(res.location().starts_with("/can-bo/dang-nhap"), "{path}");
    }
    for path in posts {
        let fields = [("name", "x"), ("day", "2027-03-01"), ("kind", "statutory")];
        let res = officer.submit("/can-bo", path, &fields).await;
        assert_eq!(res.status, 403, "officer POST {path}: {}", res.text());
        let res = app.submit("/tai-khoan", path, &fields).await;
        assert_eq!(res.status, 303, "citizen POST {path}");
        let res = stranger.submit("/dang-nhap", path, &fields).await;
        assert_eq!(res.status, 303, "stranger POST {path}");
    }
    // Nothing was changed by any of them, and the holiday is still there.
    assert!(audit_of(&app, "holiday").is_empty());
    let admin = admin(&app).await;
    let page = admin.get("/quan-tri").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.html().count(".admin-sections a"), 6);
    assert_eq!(admin.get("/quan-tri/ngay-nghi/2027-02-08").await.status, 200);
}

#[tokio::test]
async fn agencies_are_created_and_edited_with_vietnamese_errors_and_audited() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let list = admin.get("/quan-tri/co-quan?q=tu%20phap").await;
    assert_eq!(list.status, 200);
    assert!(
        list.html().texts("td a").iter().any(|t| t == "Sở Tư pháp tỉnh Thanh Hóa"),
        "{:?}",
        list.html().texts("td a")
    );
    let by_code = admin.get("/quan-tri/co-quan?q=000.20.01").await;
    assert_eq!(by_code.html().count("tbody tr"), 1);

    let good = |code: &'static str| {
        vec![
            ("code", code),
            ("name", "Ban Quản lý dự án thí điểm tỉnh Thanh Hóa"),
            ("short_name", "Ban Quản lý dự án thí điểm"),
            ("kind", "department"),
            ("parent_id", ""),
            ("address", "Số 15 Đại lộ Lê Lợi"),
            ("phone", "0237 3852 111"),
            ("email", "skhcn@thanhhoa.gov.vn"),
            ("office_hours", ""),
        ]
    };
    let mut bad = good("12.34");
    bad[8] = ("office_hours", "07:30-11:30,11:00-17:00");
    bad[7] = ("email", "không phải thư");
    let res = admin.submit("/quan-tri/co-quan/moi", "/quan-tri/co-quan/moi", &bad).await;
    assert_eq!(res.status, 422);
    let errors = summary(&res);
    assert!(errors.iter().any(|e| e.contains("Mã định danh không đúng dạng")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("không được chồng lên nhau")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("thư điện tử không hợp lệ")), "{errors:?}");
    assert_eq!(res.html().attrs("#name", "value"), vec!["Ban Quản lý dự án thí điểm tỉnh Thanh Hóa"], "input kept");
    let res = admin.submit("/quan-tri/co-quan/moi", "/quan-tri/co-quan/moi", &good("000.00.01.H56")).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("đã được dùng cho Sở Tư pháp"), "{:?}", summary(&res));

    let res = admin.submit("/quan-tri/co-quan/moi", "/quan-tri/co-quan/moi", &good("000.00.30.H56")).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.location(), "/quan-tri/co-quan/000.00.30.H56?da-luu=1");
    let page = admin.get(&res.location()).await;
    assert!(page.text().contains("Đã lưu thông tin cơ quan."));
    let created = {
        let mut conn = app.conn();
        Agency::find_by_code(&mut conn, "000.00.30.H56")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("agency"))
    };
    assert_eq!(created.search_text, "ban quan ly du an thi diem tinh thanh hoa");
    assert!(created.position >= 10, "after the departments");

    // Edit: office hours normalised, a parent that is the agency itself refused.
    let mut fields = form_fields(&page, "/quan-tri/co-quan/000.00.30.H56");
    set(&mut fields, "parent_id", &created.id);
    let res = post_fields(&admin, &res.location(), "/quan-tri/co-quan/000.00.30.H56", &fields).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("không được là chính cơ quan này"));
    set(&mut fields, "parent_id", "");
    set(&mut fields, "office_hours", "13:00-17:00,07:30-24:30");
    let res = post_fields(&admin, "/quan-tri/co-quan/000.00.30.H56", "/quan-tri/co-quan/000.00.30.H56", &fields).await;
    assert_eq!(res.status, 422, "24:30 is not a time");
    assert!(summary(&res)[0].contains("không phải giờ dạng HH:MM"), "{:?}", summary(&res));
    set(&mut fields, "office_hours", " 13:00-17:00 , 07:00-11:00 ");
    let res = post_fields(&admin, "/quan-tri/co-quan/000.00.30.H56", "/quan-tri/co-quan/000.00.30.H56", &fields).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let mut conn = app.conn();
    let hours: Option<String> = agencies::table
        .filter(agencies::code.eq("000.00.30.H56"))
        .select(agencies::office_hours)
        .first(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    assert_eq!(hours.as_deref(), Some("07:00-11:00,13:00-17:00"));
    // The new department is a filter of the public catalogue at once (the cache was dropped).
    let catalogue = app.get("/thu-tuc").await;
    assert!(catalogue.text().contains("Ban Quản lý dự án thí điểm"));

    let audit = audit_of(&app, "agency");
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].action, "create");
    assert!(audit[0].before_json.is_none());
    assert_eq!(audit[1].action, "update");
    let before: serde_json::Value =
        serde_json::from_str(audit[1].before_json.as_deref().unwrap_or("null")).unwrap_or_default();
    let after: serde_json::Value =
        serde_json::from_str(audit[1].after_json.as_deref().unwrap_or("null")).unwrap_or_default();
    assert_eq!(before["office_hours"], serde_json::Value::Null);
    assert_eq!(after["office_hours"], "07:00-11:00,13:00-17:00");
    assert_eq!(audit[1].staff_id.as_deref(), Some(staff_id(&app, "quantri").as_str()));

    assert_eq!(admin.get("/quan-tri/co-quan/000.99.99.H56").await.status, 404);
    assert_eq!(admin.get("/quan-tri/co-quan?trang=abc&loai=xyz").await.status, 200);
}

pub fn staff_id(app: &TestApp, username: &str) -> String {
    let mut conn = app.conn();
    staff::table
        .filter(staff::username.eq(username))
        .select(staff::id)
        .first(&mut *conn)
        .unwrap_or_else(|e| panic!("staff {username}: {e}"))
}

fn find_staff(app: &TestApp, username: &str) -> Staff {
    let mut conn = app.conn();
    Staff::find_by_login(&mut conn, username).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("{username}"))
}

fn agency_id(app: &TestApp, code: &str) -> String {
    let mut conn = app.conn();
    Agency::find_by_code(&mut conn, code).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("{code}")).id
}

/// The path of the newest invitation link e-mailed to `email`.
fn invitation_link(app: &TestApp, email: &str) -> String {
    let mails = app.outbox("email");
    let mail = mails
        .iter()
        .rev()
        .find(|m| m["to"] == email && m["message"]["template"] == "staff_invitation")
        .unwrap_or_else(|| panic!("no invitation for {email}: {mails:?}"));
    let link = mail["message"]["link"].as_str().unwrap_or_default();
    link[link.find("/can-bo/kich-hoat").unwrap_or(0)..].to_owned()
}

const NEW_PASSWORD: &str = "lúa chín vàng đồng 2026";

fn new_staff<'a>(agency: &'a str, username: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("agency_id", agency),
        ("username", username),
        ("full_name", "Trịnh Thị Ngọc"),
        ("email", email),
        ("phone", ""),
        ("position_title", "Công chức Văn phòng - Thống kê"),
        ("roles", "mot_cua"),
        ("roles", "chuyen_vien"),
    ]
}

#[tokio::test]
async fn a_new_staff_member_is_invited_sets_a_password_once_and_signs_in() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let agency = agency_id(&app, "000.20.01.H56");
    let form = "/quan-tri/can-bo/moi";
    let res = admin.submit(form, form, &[("username", "Ngọc T"), ("email", "xa1.motcua@demo.thanhhoa.gov.vn")]).await;
    assert_eq!(res.status, 422);
    let errors = summary(&res);
    for expected in [
        "Vui lòng chọn cơ quan.",
        "Tên đăng nhập gồm 3–40 ký tự",
        "Vui lòng nhập họ, chữ đệm và tên.",
        "đã được dùng cho một cán bộ khác",
        "Vui lòng chọn ít nhất một vai trò.",
    ] {
        assert!(errors.iter().any(|e| e.contains(expected)), "{expected} not in {errors:?}");
    }
    let res = admin.submit(form, form, &new_staff(&agency, "xa1.motcua", "ngoc@thanhhoa.gov.vn")).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("Tên đăng nhập này đã được dùng"));
    let mut forged = new_staff("not-an-agency", "xa1.vanphong", "ngoc@thanhhoa.gov.vn");
    forged.push(("roles", "sieu_quan_tri"));
    let res = admin.submit(form, form, &forged).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res).iter().any(|e| e.contains("Cơ quan đã chọn không tồn tại.")));
    assert!(summary(&res).iter().any(|e| e.contains("Vai trò đã chọn không hợp lệ.")));

    let res = admin.submit(form, form, &new_staff(&agency, "XA1.VanPhong", "Ngoc.TT@ThanhHoa.gov.vn")).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.location(), "/quan-tri/can-bo/xa1.vanphong?da-luu=moi");
    let page = admin.get(&res.location()).await;
    assert!(page.text().contains("Chờ đặt mật khẩu"));
    let created = find_staff(&app, "xa1.vanphong");
    assert!(created.password_hash.is_none() && created.active);
    assert_eq!(created.email, "Ngoc.TT@thanhhoa.gov.vn");
    let mut conn = app.conn();
    assert_eq!(Staff::roles(&mut conn, &created.id).unwrap_or_default(), vec!["mot_cua", "chuyen_vien"]);
    drop(conn);
    let list = admin.get("/quan-tri/can-bo?q=ngoc").await;
    assert_eq!(list.html().texts("tbody td:nth-child(2)"), vec!["xa1.vanphong"], "accent-free search");

    // The invitation is in the outbox, then delivered.
    let link = invitation_link(&app, "Ngoc.TT@thanhhoa.gov.vn");
    assert!(link.starts_with(&format!("/can-bo/kich-hoat?s={}&h=", created.id)), "{link}");
    app.run_pending_jobs().await;
    let mails = app.smtp.messages();
    let mail = mails.iter().find(|m| m.to.contains("Ngoc.TT")).unwrap_or_else(|| panic!("not delivered"));
    assert!(mail.text.contains("xa1.vanphong") && mail.text.contains("72 giờ"), "{}", mail.text);
    assert!(mail.text.contains(&link), "{}", mail.text);

    // Nobody can sign in before the password is set.
    let b = app.new_browser();
    let res = b.submit("/can-bo/dang-nhap", "/can-bo/dang-nhap", &[("login", "xa1.vanphong"), ("password", "")]).await;
    assert_eq!(res.status, 422);
    let page = b.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("xa1.vanphong"));
    let mut fields = form_fields(&page, "/can-bo/kich-hoat");
    set(&mut fields, "password", "xa1.vanphong2026");
    set(&mut fields, "password_confirm", "xa1.vanphong2026");
    let res = post_fields(&b, &link, "/can-bo/kich-hoat", &fields).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("Mật khẩu không được chứa"), "{:?}", summary(&res));
    set(&mut fields, "password", NEW_PASSWORD);
    set(&mut fields, "password_confirm", "khác");
    let res = post_fields(&b, &link, "/can-bo/kich-hoat", &fields).await;
    assert!(summary(&res)[0].contains("không khớp"));
    set(&mut fields, "password_confirm", NEW_PASSWORD);
    let res = post_fields(&b, &link, "/can-bo/kich-hoat", &fields).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.location(), "/can-bo/dang-nhap");
    let res = b
        .submit("/can-bo/dang-nhap", "/can-bo/dang-nhap", &[("login", "xa1.vanphong"), ("password", NEW_PASSWORD)])
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(b.get("/thu-tuc").await.text().contains("Trịnh Thị Ngọc"));

    // The link worked once.
    let again = app.new_browser();
    let res = again.get(&link).await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("đã được dùng hoặc đã hết hạn"));
    let res = post_fields(&again, "/can-bo/dang-nhap", "/can-bo/kich-hoat", &fields).await;
    assert_eq!(res.status, 400);

    // The audit log has the creation and the activation, never a password hash.
    let audit = audit_of(&app, "staff");
    assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), vec!["create", "activate"]);
    let hash = find_staff(&app, "xa1.vanphong").password_hash.unwrap_or_default();
    for a in &audit {
        let text = format!("{:?}{:?}", a.before_json, a.after_json);
        assert!(!text.contains(&hash) && !text.contains("argon2") && !text.contains(NEW_PASSWORD), "{text}");
    }
    assert!(audit[0].after_json.as_deref().unwrap_or_default().contains("\"has_password\":false"));
}

#[tokio::test]
async fn invitations_expire_and_are_sent_again_and_staff_are_edited_or_locked() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let agency = agency_id(&app, "000.00.01.H56");
    let form = "/quan-tri/can-bo/moi";
    let res = admin.submit(form, form, &new_staff(&agency, "stp.vanthu", "vanthu@stp.gov.vn")).await;
    assert_eq!(res.status, 303);
    let old = invitation_link(&app, "vanthu@stp.gov.vn");
    let now = app.clock.now();
    app.clock.set(now + Duration::hours(73));
    let admin = self::admin(&app).await;
    let b = app.new_browser();
    let res = b.get(&old).await;
    assert_eq!(res.status, 400, "expired after 72 hours");
    assert!(res.text().contains("hết hạn"));
    // A tampered link is refused too.
    assert_eq!(b.get(&old.replace("&c=", "&c=0")).await.status, 400);
    assert_eq!(b.get("/can-bo/kich-hoat?s=x&h=abc&c=y").await.status, 400);

    let page = "/quan-tri/can-bo/stp.vanthu";
    let res = admin.submit(page, "/quan-tri/can-bo/stp.vanthu/gui-loi-moi", &[]).await;
    assert_eq!(res.status, 303);
    assert!(admin.get(&res.location()).await.text().contains("Đã gửi lại thư mời"));
    let fresh = invitation_link(&app, "vanthu@stp.gov.vn");
    assert_ne!(fresh, old);
    assert_eq!(b.get(&fresh).await.status, 200);

    // Editing: a wrong e-mail is corrected; the link sent to the old address stops working.
    let mut fields = form_fields(&admin.get(page).await, page);
    set(&mut fields, "email", "van.thu@stp.gov.vn");
    fields.retain(|(k, v)| !(k == "roles" && v == "chuyen_vien"));
    let res = post_fields(&admin, page, page, &fields).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(b.get(&fresh).await.status, 400, "bound to the e-mail it was sent to");
    let mut conn = app.conn();
    let edited = find_staff(&app, "stp.vanthu");
    assert_eq!(Staff::roles(&mut conn, &edited.id).unwrap_or_default(), vec!["mot_cua"]);
    drop(conn);

    // Locking an officer signs them out at once; the last administrator cannot be removed.
    let officer = app.staff("stp.motcua").await;
    assert_eq!(officer.get("/can-bo").await.status, 200);
    let p = "/quan-tri/can-bo/stp.motcua";
    let mut fields = form_fields(&admin.get(p).await, p);
    fields.retain(|(k, _)| k != "active");
    assert_eq!(post_fields(&admin, p, p, &fields).await.status, 303);
    assert_eq!(officer.get("/can-bo").await.status, 303, "signed out");
    let res = officer
        .submit("/can-bo/dang-nhap", "/can-bo/dang-nhap", &[("login", "stp.motcua"), ("password", STAFF_PASSWORD)])
        .await;
    assert_eq!(res.status, 422, "a locked account cannot sign in");
    let res = admin.submit(p, "/quan-tri/can-bo/stp.motcua/gui-loi-moi", &[]).await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("đang bị khóa"));

    let p = "/quan-tri/can-bo/quantri";
    let mut fields = form_fields(&admin.get(p).await, p);
    set(&mut fields, "roles", "lanh_dao");
    let res = post_fields(&admin, p, p, &fields).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("ít nhất một quản trị hệ thống"));
    assert_eq!(admin.get("/quan-tri").await.status, 200, "still an administrator");
    assert_eq!(admin.get("/quan-tri/can-bo/khong.co").await.status, 404);
    assert_eq!(admin.get("/quan-tri/can-bo?co-quan=000.99.99.H56").await.status, 404);

    let actions: Vec<String> = audit_of(&app, "staff").into_iter().map(|a| a.action).collect();
    assert_eq!(actions, vec!["create", "invite", "update", "update"]);
}

#[tokio::test]
async fn the_audit_log_is_append_only_on_this_backend() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    let entry = AuditEntry {
        id: uuid::Uuid::now_v7().to_string(),
        at: app.clock.now_naive(),
        staff_id: None,
        action: "update".into(),
        entity: "agency".into(),
        entity_id: "x".into(),
        before_json: Some("{}".into()),
        after_json: Some("{}".into()),
    };
    AuditEntry::insert(&mut conn, &entry).unwrap_or_else(|e| panic!("insert: {e}"));
    let update = diesel::update(audit_log::table.find(&entry.id))
        .set(audit_log::after_json.eq("{\"forged\":true}"))
        .execute(&mut *conn);
    assert!(update.is_err(), "an audit entry cannot be changed");
    let delete = diesel::delete(audit_log::table.find(&entry.id)).execute(&mut *conn);
    assert!(delete.is_err(), "an audit entry cannot be deleted");
    let wipe = diesel::delete(audit_log::table).execute(&mut *conn);
    assert!(wipe.is_err());
    let kept: Vec<AuditEntry> = audit_log::table.select(AuditEntry::as_select()).load(&mut *conn).unwrap_or_default();
    assert_eq!(kept, vec![entry]);
}

#[tokio::test]
async fn the_audit_page_shows_changes_newest_first_with_pages() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let by = staff_id(&app, "quantri");
    {
        let mut conn = app.conn();
        for i in 0..35 {
            let entry = AuditEntry {
                id: uuid::Uuid::now_v7().to_string(),
                at: app.clock.now_naive() + Duration::minutes(i),
                staff_id: Some(by.clone()),
                action: "update".into(),
                entity: "agency".into(),
                entity_id: format!("id-{i}"),
                before_json: Some(format!("{{\"code\":\"000.00.{i:02}.H56\",\"phone\":null}}")),
                after_json: Some(format!("{{\"code\":\"000.00.{i:02}.H56\",\"phone\":\"0237 {i}\"}}")),
            };
            AuditEntry::insert(&mut conn, &entry).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let page = admin.get("/quan-tri/nhat-ky").await;
    assert_eq!(page.status, 200);
    let html = page.html();
    assert_eq!(html.count(".audit-entry"), 30);
    assert!(html.text(".audit-entry .audit-title").contains("000.00.34.H56"), "newest first");
    assert!(html.text(".audit-entry .meta").contains("Ngô Thị Hạnh (quantri)"));
    assert_eq!(html.text(".audit-entry tbody th"), "Điện thoại");
    assert_eq!(html.text(".audit-entry td.before"), "(trống)");
    assert_eq!(html.text(".audit-entry td.after"), "0237 34");
    assert_eq!(html.attrs(".pager a[rel=next]", "href"), vec!["/quan-tri/nhat-ky?trang=2"]);
    let second = admin.get("/quan-tri/nhat-ky?trang=2").await.html();
    assert_eq!(second.count(".audit-entry"), 5);
    assert!(second.text(".audit-entry .audit-title").contains("000.00.04.H56"));
    let none = admin.get("/quan-tri/nhat-ky?loai=holiday").await.html();
    assert_eq!(none.count(".audit-entry"), 0);
    assert_eq!(admin.get("/quan-tri/nhat-ky?trang=-3&loai=%3Cscript%3E").await.status, 200);
}

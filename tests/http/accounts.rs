//! Accounts: registration, verification, sign-in with throttling, sessions, reset, profile, CSRF.

use crate::support::{Page, TestApp};
use chrono::Duration;
use diesel::prelude::*;
use dvc_portal::db::schema::{sessions, users};
use dvc_portal::models::user::User;

pub const PASSWORD: &str = "mây trắng bay qua đồi 2026";

pub fn registration<'a>(email: &'a str, citizen_id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "citizen"),
        ("full_name", "Nguyễn Thị Lan"),
        ("citizen_id", citizen_id),
        ("phone", "0912 345 678"),
        ("email", email),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("agree", "yes"),
    ]
}

/// Registers, follows the verification link from the outbox, and signs in.
pub async fn signed_in_citizen(app: &TestApp, email: &str, citizen_id: &str) {
    let res = app.submit("/dang-ky", "/dang-ky", &registration(email, citizen_id)).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let link = verify_link(app, email);
    assert_eq!(app.get(&link).await.status, 200);
    let res = app.submit("/dang-nhap", "/dang-nhap", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(res.status, 303, "{}", res.text());
}

fn link_path(link: &str) -> String {
    let at = link.find("/xac-nhan-email").or_else(|| link.find("/quen-mat-khau")).unwrap_or(0);
    link[at..].to_owned()
}

pub fn verify_link(app: &TestApp, email: &str) -> String {
    let mails = app.outbox("email");
    let mail = mails
        .iter()
        .rev()
        .find(|m| m["to"] == email && m["message"]["template"] == "verify_email")
        .unwrap_or_else(|| panic!("no verification mail for {email}: {mails:?}"));
    link_path(mail["message"]["link"].as_str().unwrap_or_default())
}

fn user(app: &TestApp, email: &str) -> User {
    let mut conn = app.conn();
    users::table
        .filter(users::email_lc.eq(email.to_lowercase()))
        .select(User::as_select())
        .first(&mut *conn)
        .unwrap_or_else(|e| panic!("user {email}: {e}"))
}

fn summary(page: &Page) -> Vec<String> {
    page.html().attrs(".error-summary a", "href")
}

#[tokio::test]
async fn registers_and_queues_a_verification_mail() {
    let app = TestApp::spawn().await;
    let res = app.submit("/dang-ky", "/dang-ky", &registration("Lan.Nguyen@Example.VN", "038190012345")).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/dang-ky/kiem-tra-email");
    let u = user(&app, "lan.nguyen@example.vn");
    assert_eq!(u.email, "Lan.Nguyen@example.vn");
    assert_eq!(u.phone, "0912345678");
    assert!(u.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", u.password_hash);
    assert!(!u.password_hash.contains(PASSWORD));
    assert!(u.email_verified_at.is_none());
    let link = verify_link(&app, "Lan.Nguyen@example.vn");
    let page = app.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.html().text("h1").contains("Đã xác nhận"));
    assert!(user(&app, "lan.nguyen@example.vn").email_verified_at.is_some());
}

#[tokio::test]
async fn invalid_registrations_keep_the_input_and_say_what_is_wrong() {
    let app = TestApp::spawn().await;
    let nfd_name = "Nguye\u{302}\u{303}n Va\u{306}n A";
    let res = app
        .submit(
            "/dang-ky",
            "/dang-ky",
            &[
                ("kind", "citizen"),
                ("full_name", nfd_name),
                ("citizen_id", "003190012345"),
                ("phone", "0123"),
                ("email", "khong-hop-le"),
                ("password", "12345678"),
                ("password_confirm", "12345678"),
            ],
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(summary(&res), ["#citizen_id", "#phone", "#email", "#password", "#agree"]);
    let doc = res.html();
    assert_eq!(doc.attrs("#full_name", "value"), ["Nguyễn Văn A"], "NFD input comes back as NFC");
    assert_eq!(doc.attrs("#email", "value"), ["khong-hop-le"]);
    assert!(doc.attrs("#password", "value").is_empty(), "passwords are never echoed");
    assert_eq!(doc.attrs("#phone[aria-invalid=true]", "aria-describedby"), ["phone-hint phone-error"]);
    assert!(doc.text("#citizen_id-error").contains("mã tỉnh"));

    let long = "a".repeat(100 * 1024);
    let res = app.submit("/dang-ky", "/dang-ky", &[("full_name", long.as_str())]).await;
    assert_eq!(res.status, 400);
    assert!(res.html().text("#full_name-error").contains("tối đa 100"));

    let mut business = registration("dn@example.vn", "038190012346");
    business[0] = ("kind", "business");
    let res = app.submit("/dang-ky", "/dang-ky", &business).await;
    assert_eq!(summary(&res), ["#business_name", "#tax_code"]);
    business.extend([("business_name", "Hộ kinh doanh Lan Anh"), ("tax_code", "0100109106")]);
    assert_eq!(app.submit("/dang-ky", "/dang-ky", &business).await.status, 303);
}

#[tokio::test]
async fn an_address_or_id_registers_once() {
    let app = TestApp::spawn().await;
    assert_eq!(app.submit("/dang-ky", "/dang-ky", &registration("a@example.vn", "038190012345")).await.status, 303);
    let again = app.submit("/dang-ky", "/dang-ky", &registration("A@example.vn", "038190012399")).await;
    assert_eq!(again.status, 400);
    assert!(again.html().text("#email-error").contains("đã được đăng ký"));
    let same_id = app.submit("/dang-ky", "/dang-ky", &registration("b@example.vn", "038190012345")).await;
    assert!(same_id.html().text("#citizen_id-error").contains("đã có tài khoản"));
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let fields = registration("x@example.vn", "038190012345");
    let none = app.post_raw("/dang-ky", &fields).await;
    assert_eq!(none.status, 400);
    assert!(none.html().text("main").contains("Biểu mẫu đã hết hạn"));
    let mut forged = vec![("csrf_token", "0".repeat(64))];
    forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post_raw("/dang-ky", &forged).await.status, 400);
    assert_eq!(app.conn().transaction(|c| users::table.count().get_result::<i64>(c)).unwrap_or(-1), 0);
}

#[tokio::test]
async fn verification_links_cannot_be_forged_or_used_late() {
    let app = TestApp::spawn().await;
    app.submit("/dang-ky", "/dang-ky", &registration("v@example.vn", "038190012345")).await;
    let link = verify_link(&app, "v@example.vn");
    let tampered = link.replace("&c=", "&c=0");
    assert_eq!(app.get(&tampered).await.status, 400);
    let other_user = link.replacen("u=", "u=x", 1);
    assert_eq!(app.get(&other_user).await.status, 400);
    app.clock.set(app.clock.now() + Duration::hours(25));
    let late = app.get(&link).await;
    assert_eq!(late.status, 400);
    assert!(late.html().text("main").contains("hết hạn"));
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/tai-khoan").await.location(), "/dang-nhap?tiep=/tai-khoan");
    app.submit("/dang-ky", "/dang-ky", &registration("s@example.vn", "038190012345")).await;
    let res = app
        .submit(
            "/dang-nhap",
            "/dang-nhap",
            &[("email", "S@Example.vn"), ("password", PASSWORD), ("tiep", "/tai-khoan")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.location(), "/tai-khoan");
    let cookie = res.header("set-cookie");
    assert!(cookie.starts_with("dvc_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    let profile = app.get("/tai-khoan").await;
    assert_eq!(profile.status, 200);
    assert!(profile.html().text("main").contains("Nguyễn Thị Lan"));
    assert!(profile.html().text("main").contains("*********345"), "the ID is masked");
    assert!(profile.html().text("header").contains("Đăng xuất"));

    // Signing in again replaces the session: the first one is gone from the database.
    let again = app.submit("/tai-khoan", "/dang-nhap", &[("email", "s@example.vn"), ("password", PASSWORD)]).await;
    assert_eq!(again.status, 303);
    let count = || app.conn().transaction(|c| sessions::table.count().get_result::<i64>(c)).unwrap_or(-1);
    assert_eq!(count(), 1);

    let out = app.submit("/tai-khoan", "/dang-xuat", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(count(), 0);
    assert_eq!(app.get("/tai-khoan").await.status, 303);

    // Open redirects are not followed.
    let res = app
        .submit(
            "/dang-nhap",
            "/dang-nhap",
            &[("email", "s@example.vn"), ("password", PASSWORD), ("tiep", "//evil.example/x")],
        )
        .await;
    assert_eq!(res.location(), "/tai-khoan/ho-so");
}

#[tokio::test]
async fn sessions_expire_when_idle() {
    let app = TestApp::spawn().await;
    app.submit("/dang-ky", "/dang-ky", &registration("i@example.vn", "038190012345")).await;
    app.submit("/dang-nhap", "/dang-nhap", &[("email", "i@example.vn"), ("password", PASSWORD)]).await;
    assert_eq!(app.get("/tai-khoan").await.status, 200);
    app.clock.set(app.clock.now() + Duration::minutes(90));
    assert_eq!(app.get("/tai-khoan").await.status, 200, "activity keeps it alive");
    app.clock.set(app.clock.now() + Duration::minutes(121));
    assert_eq!(app.get("/tai-khoan").await.status, 303, "two idle hours end it");
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_account() {
    let app = TestApp::spawn().await;
    app.submit("/dang-ky", "/dang-ky", &registration("t@example.vn", "038190012345")).await;
    for _ in 0..5 {
        let res = app
            .submit("/dang-nhap", "/dang-nhap", &[("email", "t@example.vn"), ("password", "sai mật khẩu rồi")])
            .await;
        assert_eq!(res.status, 400);
        assert!(res.html().text(".error-summary").contains("không đúng"));
    }
    let locked = app.submit("/dang-nhap", "/dang-nhap", &[("email", "t@example.vn"), ("password", PASSWORD)]).await;
    assert_eq!(locked.status, 400, "even the right password waits");
    assert!(locked.html().text(".error-summary").contains("tạm thời bị khóa"));
    assert_eq!(locked.html().attrs("#email", "value"), ["t@example.vn"]);
    app.clock.set(app.clock.now() + Duration::minutes(16));
    assert_eq!(
        app.submit("/dang-nhap", "/dang-nhap", &[("email", "t@example.vn"), ("password", PASSWORD)]).await.status,
        303
    );
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_address() {
    let app = TestApp::spawn().await;
    for i in 0..20 {
        let email = format!("khong-co-{i}@example.vn");
        app.submit("/dang-nhap", "/dang-nhap", &[("email", email.as_str()), ("password", "sai mật khẩu rồi")]).await;
    }
    app.submit("/dang-ky", "/dang-ky", &registration("ip@example.vn", "038190012345")).await;
    let res = app.submit("/dang-nhap", "/dang-nhap", &[("email", "ip@example.vn"), ("password", PASSWORD)]).await;
    assert_eq!(res.status, 400);
    assert!(res.html().text(".error-summary").contains("quá nhiều lần"));
}

#[tokio::test]
async fn passwords_are_reset_by_a_single_use_link() {
    let app = TestApp::spawn().await;
    app.submit("/dang-ky", "/dang-ky", &registration("r@example.vn", "038190012345")).await;
    app.submit("/dang-nhap", "/dang-nhap", &[("email", "r@example.vn"), ("password", PASSWORD)]).await;
    let unknown = app.submit("/quen-mat-khau", "/quen-mat-khau", &[("email", "nobody@example.vn")]).await;
    let known = app.submit("/quen-mat-khau", "/quen-mat-khau", &[("email", "r@example.vn")]).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.html().text("main"), known.html().text("main"), "no hint whether an address is registered");
    let mails = app.outbox("email");
    let reset: Vec<_> = mails.iter().filter(|m| m["message"]["template"] == "reset_password").collect();
    assert_eq!(reset.len(), 1);
    let link = link_path(reset[0]["message"]["link"].as_str().unwrap_or_default());
    let form = app.get(&link).await;
    assert_eq!(form.status, 200);
    let q: Vec<(String, String)> = form
        .html()
        .attrs("form input[type=hidden]", "name")
        .into_iter()
        .zip(form.html().attrs("form input[type=hidden]", "value"))
        .collect();
    let mut fields: Vec<(&str, &str)> =
        q.iter().filter(|(k, _)| k != "csrf_token").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    fields.extend([("password", "một mật khẩu mới dài"), ("password_confirm", "một mật khẩu mới dài")]);
    let done = app.submit(&link, "/quen-mat-khau/dat-lai", &fields).await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(done.html().text("h1").contains("Đã đặt mật khẩu mới"));
    assert_eq!(app.get("/tai-khoan").await.status, 303, "every session ended");
    assert_eq!(app.get(&link).await.status, 400, "the link works once");
    let old = app.submit("/dang-nhap", "/dang-nhap", &[("email", "r@example.vn"), ("password", PASSWORD)]).await;
    assert_eq!(old.status, 400);
    let new = app
        .submit("/dang-nhap", "/dang-nhap", &[("email", "r@example.vn"), ("password", "một mật khẩu mới dài")])
        .await;
    assert_eq!(new.status, 303);
}

#[tokio::test]
async fn contact_data_can_be_edited() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "p@example.vn", "038190012345").await;
    let bad = app.submit("/tai-khoan", "/tai-khoan", &[("phone", "123"), ("address", "Số 1 Lê Lợi")]).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.html().attrs("#address", "value"), ["Số 1 Lê Lợi"]);
    let ok = app.submit("/tai-khoan", "/tai-khoan", &[("phone", "+84 988 777 666"), ("address", "Số 1 Lê Lợi")]).await;
    assert_eq!(ok.location(), "/tai-khoan?da-luu=1");
    let page = app.get("/tai-khoan?da-luu=1").await;
    assert_eq!(page.html().attrs("#phone", "value"), ["0988777666"]);
    assert!(page.html().text("main").contains("Đã lưu"));
}

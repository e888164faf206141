//! Staff sign-in: the staff page, wrong passwords, throttling, and citizens kept apart.

use crate::support::{STAFF_PASSWORD, TestApp};

#[tokio::test]
async fn demo_staff_sign_in_on_their_own_page() {
    let app = TestApp::spawn().await;
    let page = app
        .submit(
            "/can-bo/dang-nhap",
            "/can-bo/dang-nhap",
            &[("login", "XA1.MOTCUA"), ("password", STAFF_PASSWORD), ("tiep", "https://evil.example/")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text());
    assert_eq!(page.location(), "/can-bo");
    let home = app.get("/thu-tuc").await;
    assert!(home.text().contains("Lê Thị Hoa"), "the staff name is in the navigation");
    assert_eq!(home.html().texts("a[href='/can-bo']").len(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_vietnamese_and_citizens_cannot_use_the_staff_page() {
    let app = TestApp::spawn().await;
    let page =
        app.submit("/can-bo/dang-nhap", "/can-bo/dang-nhap", &[("login", "xa1.motcua"), ("password", "sai")]).await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    // A staff login name on the citizens' page is unknown there.
    let page = app.submit("/dang-nhap", "/dang-nhap", &[("email", "xa1.motcua"), ("password", STAFF_PASSWORD)]).await;
    assert_ne!(page.status, 303);
    assert!(page.text().contains("Địa chỉ thư điện tử hoặc mật khẩu không đúng."));
}

#[tokio::test]
async fn staff_pages_send_strangers_to_the_staff_sign_in() {
    let app = TestApp::spawn().await;
    let page = app.get("/can-bo?hang=moi").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/can-bo/dang-nhap?tiep=/can-bo%3Fhang%3Dmoi");
    let officer = app.staff("xa1.motcua").await;
    let page = officer.submit("/can-bo", "/can-bo/dang-xuat", &[]).await;
    assert_eq!(page.status, 303);
    assert_eq!(officer.get("/can-bo").await.status, 303, "signed out");
}

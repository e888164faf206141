//! The web shell: security headers, health, static files, error pages, request ids.

use crate::support::TestApp;

#[tokio::test]
async fn every_page_carries_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/thu-tuc", "/thu-tuc/1.001193", "/khong-co", "/api/v1/procedures"] {
        let page = app.get(path).await;
        let csp = page.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(page.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(page.header("referrer-policy"), "strict-origin-when-cross-origin", "{path}");
    }
}

#[tokio::test]
async fn pages_are_accessible_vietnamese_html() {
    let app = TestApp::spawn().await;
    for path in ["/", "/thu-tuc", "/thu-tuc/1.001193", "/khong-co"] {
        let page = app.get(path).await;
        let doc = page.html();
        assert_eq!(doc.attrs("html", "lang"), ["vi"], "{path}");
        assert_eq!(doc.count("main#main"), 1, "{path}");
        assert_eq!(doc.attrs("a.skip-link", "href"), ["#main"], "{path}");
        assert_eq!(doc.count("header"), 1, "{path}");
        assert_eq!(doc.count("footer"), 1, "{path}");
        assert_eq!(doc.count("h1"), 1, "{path}");
        assert_eq!(doc.count("script"), 0, "{path}: pages work without JavaScript");
        assert!(doc.text("header").contains("Thanh Hóa"), "{path}");
    }
}

#[tokio::test]
async fn health_and_static_files() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["database"], "ok");
    let home = app.get("/").await;
    let css = home.html().attrs("link[rel=stylesheet]", "href");
    assert_eq!(css.len(), 1);
    let sheet = app.get(&css[0]).await;
    assert_eq!(sheet.status, 200);
    assert!(sheet.header("content-type").starts_with("text/css"));
    assert!(sheet.header("cache-control").contains("immutable"));
    assert_eq!(app.get("/static/css/nope.css").await.status, 404);
}

#[tokio::test]
async fn the_catalogue_page_is_small() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(format!("{}/thu-tuc?q=dang+ky", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
    let wire = res.bytes().await.map(|b| b.len()).unwrap_or(usize::MAX);
    assert!(wire < 50 * 1024, "catalogue page is {wire} bytes on the wire");
}

#[tokio::test]
async fn server_errors_show_a_plain_page_with_the_request_id() {
    let app = TestApp::spawn().await;
    // Break the database under the running server: the page must still be a styled 500/503.
    {
        use diesel::connection::SimpleConnection;
        let mut conn = app.conn();
        conn.batch_execute("DROP TABLE procedure_forms").unwrap_or_else(|e| panic!("{e}"));
    }
    let page = app.get("/thu-tuc/1.001193").await;
    assert_eq!(page.status, 500);
    let doc = page.html();
    assert!(doc.text("h1").contains("Lỗi hệ thống"));
    assert!(!page.text().contains("procedure_forms"), "internal details leaked");
    assert!(doc.text(".error-page code").len() > 8, "request id shown");
}

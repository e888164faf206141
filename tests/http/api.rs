//! The JSON API for other systems, and its precise errors.

use crate::support::TestApp;

#[tokio::test]
async fn lists_and_shows_procedures_as_json() {
    let app = TestApp::spawn().await;
    let list = app.get("/api/v1/procedures?q=dang+ky+khai+sinh").await;
    assert_eq!(list.status, 200);
    assert!(list.header("content-type").starts_with("application/json"));
    let body = list.json();
    assert!(body["total"].as_u64().unwrap_or(0) >= 1);
    assert_eq!(body["items"][0]["code"], "1.001193");
    assert_eq!(body["items"][0]["url"], "/thu-tuc/1.001193");

    let one = app.get("/api/v1/procedures/1.001193").await;
    assert_eq!(one.status, 200);
    let p = one.json();
    assert_eq!(p["code"], "1.001193");
    assert!(p["name"].as_str().is_some_and(|n| n.contains("khai sinh")));
    assert_eq!(p["level"], "xa");
    assert!(p["papers"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(p["time_limit"]["value"].as_u64().is_some());
    let form_url = p["forms"][0]["url"].as_str().unwrap_or_default().to_owned();
    let form = app.get(&form_url).await;
    assert_eq!(form.status, 200);
    assert_eq!(dvc_portal::files::sha256_hex(&form.bytes), p["forms"][0]["sha256"].as_str().unwrap_or_default());
}

#[tokio::test]
async fn api_errors_are_precise_json() {
    let app = TestApp::spawn().await;
    let cases = [
        ("/api/v1/procedures/9.999999", 404, "not_found"),
        ("/api/v1/procedures?muc-do=9", 400, "invalid_parameter"),
        ("/api/v1/procedures?trang=-1", 400, "invalid_parameter"),
        ("/api/v1/khong-co", 404, "not_found"),
        ("/api/v1/procedures?q=a&q=b", 400, "invalid_query"),
    ];
    for (path, status, code) in cases {
        let res = app.get(path).await;
        assert_eq!(res.status, status, "{path}");
        assert!(res.header("content-type").starts_with("application/json"), "{path}");
        let body = res.json();
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}");
    }
    let long = app.get(&format!("/api/v1/procedures?q={}", "x".repeat(300))).await;
    assert_eq!(long.status, 400);
    assert!(long.json()["error"]["message"].as_str().is_some_and(|m| m.contains("quá dài")));
}

//! The catalogue pages: search with and without diacritics, ranking, filters, pagination,
//! the procedure page, form downloads, and bad input.

use crate::support::TestApp;
use diesel::prelude::*;
use dvc_portal::db::schema::procedures;
use dvc_portal::domain::fold::{fold, lower};
use dvc_portal::models::procedure::Procedure;

fn result_names(page: &crate::support::Page) -> Vec<String> {
    page.html().texts("ol.results li a.procedure-link")
}

#[tokio::test]
async fn finds_procedures_without_diacritics() {
    let app = TestApp::spawn().await;
    for q in ["dang ky khai sinh", "Đăng ký khai sinh", "DANG KY KHAI SINH", "khai sinh dang ky", "khai sinh"] {
        let page = app.get(&format!("/thu-tuc?q={}", urlencode(q))).await;
        assert_eq!(page.status, 200, "{q}");
        let names = result_names(&page);
        assert!(
            names.first().is_some_and(|n| n.contains("Đăng ký khai sinh")),
            "{q:?} should find Đăng ký khai sinh first, got {names:?}"
        );
    }
    // A word left out: still found, after the procedure whose name holds the exact phrase.
    let names = result_names(&app.get("/thu-tuc?q=dang+ky+sinh").await);
    assert!(names.iter().any(|n| n == "Đăng ký khai sinh"), "{names:?}");
    let page = app.get("/thu-tuc?q=ket+hon").await;
    let names = result_names(&page);
    assert!(names.first().is_some_and(|n| n.contains("Đăng ký kết hôn")), "{names:?}");
    assert!(page.html().text("p.result-count").contains(&names.len().to_string()));
}

#[tokio::test]
async fn finds_by_code_and_reports_nothing_found() {
    let app = TestApp::spawn().await;
    let names = result_names(&app.get("/thu-tuc?q=1.001193").await);
    assert_eq!(names.len(), 1, "{names:?}");
    let none = app.get("/thu-tuc?q=zzzxqw").await;
    assert_eq!(none.status, 200);
    assert_eq!(none.html().count("ol.results li"), 0);
    assert!(none.html().text("p.result-count").contains("Không tìm thấy"));
}

#[tokio::test]
async fn exact_diacritics_rank_first() {
    let app = TestApp::spawn().await;
    // A procedure whose name folds like "kết hôn" but is written differently.
    let mut conn = app.conn();
    let mut twin: Procedure = procedures::table
        .filter(procedures::code.eq("1.000894"))
        .select(Procedure::as_select())
        .first(&mut *conn)
        .unwrap_or_else(|e| panic!("1.000894 missing: {e}"));
    twin.id = uuid::Uuid::now_v7().to_string();
    twin.code = "9.999999".into();
    twin.name = "Xác nhận kẹt hơn thử nghiệm".into();
    twin.name_lc = lower(&twin.name);
    twin.search_text = fold(&format!("{} {}", twin.code, twin.name));
    twin.popularity = 10_000;
    Procedure::insert(&mut conn, &twin).unwrap_or_else(|e| panic!("insert: {e}"));
    drop(conn);

    let exact = result_names(&app.get(&format!("/thu-tuc?q={}", urlencode("kết hôn"))).await);
    assert!(exact.first().is_some_and(|n| n.contains("kết hôn")), "{exact:?}");
    assert!(exact.iter().any(|n| n.contains("kẹt hơn")), "{exact:?}");
    let other = result_names(&app.get(&format!("/thu-tuc?q={}", urlencode("kẹt hơn"))).await);
    assert!(other.first().is_some_and(|n| n.contains("kẹt hơn")), "{other:?}");
    // Without diacritics neither is exact: the more popular one (the twin) comes first.
    let plain = result_names(&app.get("/thu-tuc?q=ket+hon").await);
    assert!(plain.first().is_some_and(|n| n.contains("kẹt hơn")), "{plain:?}");
}

#[tokio::test]
async fn filters_and_paginates() {
    let app = TestApp::spawn().await;
    let all = app.get("/thu-tuc").await;
    let total: usize = all.html().text("p.result-count strong").parse().unwrap_or(0);
    assert!(total >= 40, "the demo catalogue has {total} procedures");
    assert_eq!(all.html().count("ol.results li"), 20);
    let page2 = app.get("/thu-tuc?trang=2").await;
    assert_eq!(page2.status, 200);
    let first: Vec<String> = result_names(&all);
    let second: Vec<String> = result_names(&page2);
    assert!(second.iter().all(|n| !first.contains(n)), "pages overlap");
    assert_eq!(page2.html().attrs("nav.pager a[aria-current=page]", "href"), ["/thu-tuc?trang=2"]);

    let commune = app.get("/thu-tuc?cap=xa").await;
    let province = app.get("/thu-tuc?cap=tinh").await;
    let n = |p: &crate::support::Page| p.html().text("p.result-count strong").parse::<usize>().unwrap_or(0);
    assert!(n(&commune) > 0 && n(&province) > 0);
    assert_eq!(n(&commune) + n(&province), total);

    let ho_tich = app.get("/thu-tuc?linh-vuc=ho-tich&q=khai+sinh").await;
    assert!(result_names(&ho_tich).iter().any(|x| x.contains("khai sinh")));
    let wrong_field = app.get("/thu-tuc?linh-vuc=xay-dung&q=khai+sinh").await;
    assert_eq!(wrong_field.html().count("ol.results li"), 0);

    // A commune agency narrows to commune procedures, a department to its own.
    let commune_agency = app.get("/thu-tuc?co-quan=000.20.01.H56").await;
    assert_eq!(n(&commune_agency), n(&commune));
    let justice = app.get("/thu-tuc?co-quan=000.00.01.H56").await;
    assert!(n(&justice) > 0 && n(&justice) < total);

    for level in 2..=4 {
        let page = app.get(&format!("/thu-tuc?muc-do={level}")).await;
        assert_eq!(page.status, 200);
        let badges = page.html().texts("ol.results .badge");
        assert!(badges.iter().all(|b| b.starts_with(&format!("Mức {level}"))), "{badges:?}");
    }
}

#[tokio::test]
async fn shows_a_procedure_completely() {
    let app = TestApp::spawn().await;
    let page = app.get("/thu-tuc/1.000894").await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    assert!(doc.text("h1").contains("Đăng ký kết hôn"));
    for section in ["#thoi-han", "#phi-le-phi", "#thanh-phan-ho-so", "#bieu-mau", "#trinh-tu", "#ket-qua", "#can-cu"] {
        assert_eq!(doc.count(section), 1, "{section} missing");
    }
    assert!(doc.count("#thanh-phan-ho-so li") >= 1);
    let links = doc.attrs("a.form-download", "href");
    assert!(!links.is_empty());
    for href in links {
        let file = app.get(&href).await;
        assert_eq!(file.status, 200, "{href}");
        assert!(file.header("content-disposition").starts_with("attachment"), "{href}");
        assert!(file.bytes.starts_with(b"PK\x03\x04") || file.bytes.starts_with(b"%PDF-"), "{href} is not a document");
        assert_eq!(file.header("x-content-type-options"), "nosniff");
    }
}

#[tokio::test]
async fn every_demo_procedure_page_and_form_works() {
    let app = TestApp::spawn().await;
    let codes: Vec<String> = {
        let mut conn = app.conn();
        procedures::table.select(procedures::code).load(&mut *conn).unwrap_or_default()
    };
    assert!(codes.len() >= 40);
    for code in codes {
        let page = app.get(&format!("/thu-tuc/{code}")).await;
        assert_eq!(page.status, 200, "{code}");
        let links = page.html().attrs("a.form-download", "href");
        assert!(!links.is_empty(), "{code} has no form");
        let file = app.get(&links[0]).await;
        assert_eq!(file.status, 200, "{}", links[0]);
    }
}

#[tokio::test]
async fn unknown_things_are_vietnamese_404s() {
    let app = TestApp::spawn().await;
    for path in [
        "/thu-tuc/khong-ton-tai",
        "/thu-tuc/1.000894/bieu-mau/khong-co.docx",
        "/khong-co-trang-nay",
        "/thu-tuc/1.000894/bieu-mau/..%2F..%2Fportal.db",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.header("content-type").starts_with("text/html"), "{path}");
        assert!(page.html().text("h1").contains("Không tìm thấy"), "{path}");
    }
}

#[tokio::test]
async fn absurd_queries_never_break_the_page() {
    let app = TestApp::spawn().await;
    let long = app.get(&format!("/thu-tuc?q={}", "a".repeat(10 * 1024))).await;
    assert_eq!(long.status, 400);
    assert!(long.html().text(".error-summary").contains("quá dài"));

    let page = app.get("/thu-tuc?trang=-1").await;
    assert_eq!(page.status, 400);
    assert!(page.html().text(".error-summary").contains("Số trang"));
    assert_eq!(page.html().count("ol.results li"), 20, "page 1 is still shown");

    let far = app.get("/thu-tuc?trang=9999").await;
    assert_eq!(far.status, 200);
    assert_eq!(far.html().count("ol.results li"), 0);

    let xss = app.get("/thu-tuc?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(xss.status, 200);
    assert!(!xss.text().contains("<script>alert(1)"), "query reflected unescaped");
    assert!(
        xss.text().contains("&lt;script&gt;")
            || xss.text().contains("&#60;script&#62;")
            || xss.text().contains("&#x3c;script")
    );

    for q in ["%27%20OR%201%3D1%20--", "%22%20OR%20%22", "NEAR(a%20b)", "%FF%FE", "%25%25%25", "*", "%00"] {
        let page = app.get(&format!("/thu-tuc?q={q}")).await;
        assert!(page.status == 200 || page.status == 400, "{q}: {}", page.status);
        assert!(page.html().count("main") == 1, "{q}");
    }
    for bad in ["cap=huyen", "muc-do=7", "muc-do=abc", "co-quan=000.99.99.H99"] {
        let page = app.get(&format!("/thu-tuc?{bad}")).await;
        assert_eq!(page.status, 400, "{bad}");
        assert_eq!(page.html().count(".error-summary li"), 1, "{bad}");
    }
}

#[tokio::test]
async fn home_page_leads_to_search_and_popular_procedures() {
    let app = TestApp::spawn().await;
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    assert_eq!(doc.attrs("form[role=search]", "action"), ["/thu-tuc"]);
    assert_eq!(doc.count("label[for=q]"), 1);
    assert_eq!(doc.count(".card-list li"), 8);
    assert!(doc.count(".field-list li") >= 5);
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

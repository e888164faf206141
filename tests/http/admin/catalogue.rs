//! The catalogue: editing a procedure's time limit, fees and workflow steps (seen on the public
//! page), creating a procedure, and the refusals.

use super::{admin, audit_of, form_fields, post_fields, set, summary};
use crate::support::TestApp;
use dvc_portal::models::agency::Agency;
use dvc_portal::models::procedure::Procedure;
use dvc_portal::models::workflow::WorkflowStep;

const CODE: &str = "1.001022";
const EDIT: &str = "/quan-tri/thu-tuc/1.001022";

fn procedure(app: &TestApp, code: &str) -> Procedure {
    let mut conn = app.conn();
    Procedure::find_by_code(&mut conn, code).ok().flatten().unwrap_or_else(|| panic!("procedure {code}"))
}

fn steps(app: &TestApp, code: &str) -> Vec<WorkflowStep> {
    let p = procedure(app, code);
    let mut conn = app.conn();
    WorkflowStep::of_procedure(&mut conn, &p.id).unwrap_or_else(|e| panic!("{e}"))
}

fn agency_id(app: &TestApp, code: &str) -> String {
    let mut conn = app.conn();
    Agency::find_by_code(&mut conn, code).ok().flatten().unwrap_or_else(|| panic!("{code}")).id
}

/// The indexes of the blank rows of a table (`fee`, `paper`, `step`) on the form.
fn blank_rows(fields: &[(String, String)], group: &str, field: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, v)| k.starts_with(&format!("{group}-")) && k.ends_with(&format!("-{field}")) && v.is_empty())
        .map(|(k, _)| k.split('-').nth(1).unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_procedures_time_limit_fees_and_workflow_are_edited_and_shown_publicly() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let public = app.get(&format!("/thu-tuc/{CODE}")).await;
    assert_eq!(public.html().text("#thoi-han strong"), "3 ngày làm việc");

    let list = admin.get("/quan-tri/thu-tuc?q=nhan%20cha%20me").await;
    assert!(list.html().texts("td a").iter().any(|t| t == "Đăng ký nhận cha, mẹ, con"), "accent-free search");
    let page = admin.get(EDIT).await;
    assert_eq!(page.status, 200);
    let mut fields = form_fields(&page, EDIT);
    assert_eq!(blank_rows(&fields, "step", "name").len(), 2, "no steps yet: two blank rows");
    // Three steps are needed: "add rows" shows the form again with more blank rows, unsaved.
    fields.push(("add_rows".into(), "yes".into()));
    let more = post_fields(&admin, EDIT, EDIT, &fields).await;
    assert_eq!(more.status, 200);
    let mut fields = form_fields(&more, EDIT);
    let rows = blank_rows(&fields, "step", "name");
    assert_eq!(rows.len(), 2, "blank rows are not kept, two new ones are offered");
    let fields_before = fields.clone();

    set(&mut fields, "time_limit_value", "12");
    set(&mut fields, "time_limit_unit", "calendar_days");
    let fee = blank_rows(&fields, "fee", "description").remove(0);
    set(&mut fields, &format!("fee-{fee}-kind"), "phi");
    set(&mut fields, &format!("fee-{fee}-description"), "Phí sao y bản chính");
    set(&mut fields, &format!("fee-{fee}-amount"), "2.000 đ");
    set(&mut fields, &format!("fee-{fee}-per_unit"), "trang");
    // Three steps typed out of order; the order column sorts them.
    let stp = agency_id(&app, "000.00.01.H56");
    let all_rows: Vec<String> = fields_before
        .iter()
        .filter(|(k, _)| k.starts_with("step-") && k.ends_with("-name"))
        .map(|(k, _)| k.split('-').nth(1).unwrap_or_default().to_owned())
        .collect();
    assert!(all_rows.len() >= 2);
    let (a, b) = (&all_rows[0], &all_rows[1]);
    set(&mut fields, &format!("step-{a}-order"), "3");
    set(&mut fields, &format!("step-{a}-name"), "Phê duyệt kết quả");
    set(&mut fields, &format!("step-{a}-role"), "lanh_dao");
    set(&mut fields, &format!("step-{b}-order"), "1");
    set(&mut fields, &format!("step-{b}-name"), "Tiếp nhận hồ sơ");
    set(&mut fields, &format!("step-{b}-role"), "mot_cua");
    fields.push(("step-90-order".into(), "2".into()));
    fields.push(("step-90-name".into(), "Xác minh tại Sở Tư pháp".into()));
    fields.push(("step-90-role".into(), "chuyen_vien".into()));
    fields.push(("step-90-agency_id".into(), stp.clone()));
    let res = post_fields(&admin, EDIT, EDIT, &fields).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    assert_eq!(res.location(), format!("{EDIT}?da-luu=1"));

    // The public page shows the new time limit and fee at once (the cache was dropped).
    let public = app.get(&format!("/thu-tuc/{CODE}")).await;
    assert_eq!(public.html().text("#thoi-han strong"), "12 ngày");
    assert!(
        public.html().texts("#phi-le-phi td").iter().any(|t| t == "2.000 đ/trang"),
        "{:?}",
        public.html().texts("#phi-le-phi td")
    );
    let p = procedure(&app, CODE);
    assert_eq!((p.time_limit_value, p.time_limit_unit.as_str()), (12, "calendar_days"));
    let stored = steps(&app, CODE);
    let summary_of: Vec<(i32, &str, &str, Option<&str>)> =
        stored.iter().map(|s| (s.position, s.name.as_str(), s.role.as_str(), s.agency_id.as_deref())).collect();
    assert_eq!(
        summary_of,
        vec![
            (1, "Tiếp nhận hồ sơ", "mot_cua", None),
            (2, "Xác minh tại Sở Tư pháp", "chuyen_vien", Some(stp.as_str())),
            (3, "Phê duyệt kết quả", "lanh_dao", None),
        ]
    );
    let page = admin.get(&res.location()).await;
    assert!(page.text().contains("Đã lưu thủ tục."));
    assert_eq!(page.html().attrs("#step-1-name", "value"), vec!["Tiếp nhận hồ sơ"]);
    assert_eq!(page.html().attrs("#step-3-name", "value"), vec!["Phê duyệt kết quả"]);

    // Removing a step and the fee.
    let mut fields = form_fields(&page, EDIT);
    fields.push(("step-2-remove".into(), "yes".into()));
    let fee_rows: Vec<String> = fields
        .iter()
        .filter(|(k, v)| k.ends_with("-description") && v == "Phí sao y bản chính")
        .map(|(k, _)| k.replace("-description", "-remove"))
        .collect();
    fields.push((fee_rows[0].clone(), "yes".into()));
    let res = post_fields(&admin, EDIT, EDIT, &fields).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    assert_eq!(
        steps(&app, CODE).iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        vec!["Tiếp nhận hồ sơ", "Phê duyệt kết quả"]
    );
    assert!(!app.get(&format!("/thu-tuc/{CODE}")).await.text().contains("2.000 đ/trang"));

    // Saving the form unchanged writes no audit entry; each change wrote one with before/after.
    let page = admin.get(EDIT).await;
    let res = post_fields(&admin, EDIT, EDIT, &form_fields(&page, EDIT)).await;
    assert_eq!(res.status, 303);
    let audit = audit_of(&app, "procedure");
    assert_eq!(audit.len(), 2);
    let before: serde_json::Value =
        serde_json::from_str(audit[0].before_json.as_deref().unwrap_or("{}")).unwrap_or_default();
    let after: serde_json::Value =
        serde_json::from_str(audit[0].after_json.as_deref().unwrap_or("{}")).unwrap_or_default();
    assert_eq!((before["time_limit_value"].clone(), after["time_limit_value"].clone()), (3.into(), 12.into()));
    assert_eq!(before["workflow"], serde_json::json!([]));
    assert_eq!(after["workflow"][1], "2. Xác minh tại Sở Tư pháp — Chuyên viên — 000.00.01.H56");
    let log = admin.get("/quan-tri/nhat-ky?loai=procedure").await.html();
    assert!(log.texts(".audit-changes th").iter().any(|t| t == "Quy trình xử lý"));
    assert!(log.texts(".audit-changes td.after").iter().any(|t| t == "12"));
}

#[tokio::test]
async fn bad_catalogue_input_gets_vietnamese_messages_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let page = admin.get(EDIT).await;
    let good = form_fields(&page, EDIT);
    let before = procedure(&app, CODE);
    let stp = agency_id(&app, "000.00.01.H56");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("eform", "{\"title\": ")], "Biểu mẫu điện tử không hợp lệ: Định nghĩa biểu mẫu không đúng cấu trúc"),
        (vec![("eform", "{\"title\": \"T\", \"sections\": []}")], "Biểu mẫu phải có ít nhất một phần."),
        (vec![("time_limit_value", "0")], "Thời hạn giải quyết là số nguyên từ 1 đến 999."),
        (vec![("time_limit_value", "ba")], "Thời hạn giải quyết là số nguyên từ 1 đến 999."),
        (vec![("time_limit_unit", "weeks")], "Vui lòng chọn đơn vị thời hạn."),
        (vec![("online_level", "5")], "mức độ dịch vụ công trực tuyến từ 1 đến 4"),
        (vec![("level", "tinh")], "Thủ tục cấp tỉnh cần chọn sở, ngành thực hiện."),
        (vec![("agency_id", stp.as_str())], "không chọn sở, ngành"),
        (vec![("fee-1-amount", "15k")], "Mức thu là số tiền nguyên bằng đồng"),
        (vec![("fee-1-kind", "")], "Vui lòng chọn loại: phí hoặc lệ phí."),
        (vec![("paper-1-copies", "-1")], "Số bản là số nguyên từ 0 đến 20."),
        (vec![("step-50-name", "Thẩm định")], "Vui lòng chọn vai trò thực hiện bước này."),
        (
            vec![("step-50-name", "Thẩm định"), ("step-50-role", "chuyen_vien"), ("step-50-agency_id", "forged")],
            "Cơ quan của bước xử lý không tồn tại.",
        ),
        (
            vec![("step-50-name", "Thẩm định"), ("step-50-role", "quan_tri")],
            "Vui lòng chọn vai trò thực hiện bước này.",
        ),
        (vec![("name", "   ")], "Vui lòng nhập tên thủ tục."),
        (vec![("steps", "")], "Vui lòng nhập trình tự thực hiện"),
        (vec![("field_code", "khong-co")], "Lĩnh vực đã chọn không tồn tại."),
    ];
    for (changes, expected) in cases {
        let mut fields = good.clone();
        for (k, v) in &changes {
            set(&mut fields, k, v);
        }
        let res = post_fields(&admin, EDIT, EDIT, &fields).await;
        assert_eq!(res.status, 422, "{changes:?}: {}", res.status);
        let errors = summary(&res);
        assert!(errors.iter().any(|e| e.contains(expected)), "{changes:?}: {expected} not in {errors:?}");
        assert!(res.html().count(".error-summary a[href^='#']") >= 1);
    }
    // No paper left at all.
    let fields: Vec<(String, String)> = good.iter().filter(|(k, _)| !k.starts_with("paper-")).cloned().collect();
    let res = post_fields(&admin, EDIT, EDIT, &fields).await;
    assert!(summary(&res).iter().any(|e| e.contains("ít nhất một giấy tờ")), "{:?}", summary(&res));
    assert_eq!(procedure(&app, CODE), before, "nothing changed");
    assert!(audit_of(&app, "procedure").is_empty());
    assert_eq!(admin.get("/quan-tri/thu-tuc/9.999999").await.status, 404);
    assert_eq!(admin.submit(EDIT, "/quan-tri/thu-tuc/9.999999", &[("name", "x")]).await.status, 404);
}

#[tokio::test]
async fn a_new_procedure_is_created_with_its_e_form_and_found_by_citizens() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let new = "/quan-tri/thu-tuc/moi";
    let page = admin.get(new).await;
    assert_eq!(page.status, 200);
    let mut fields = form_fields(&page, new);
    let eform = r#"{"title": "Tờ khai xác nhận tình trạng hôn nhân", "sections": [{"id": "nguoi_yeu_cau", "title": "Người yêu cầu", "fields": [{"name": "ho_ten", "label": "Họ, chữ đệm, tên", "required": true, "kind": {"type": "text", "max_len": 100}}]}]}"#;
    for (k, v) in [
        ("code", "abc"),
        ("name", "Cấp Giấy xác nhận tình trạng hôn nhân (thí điểm)"),
        ("field_code", "ho-tich"),
        ("level", "xa"),
        ("implementing_agency", "Ủy ban nhân dân cấp xã"),
        ("online_level", "4"),
        ("time_limit_value", "3"),
        ("subjects", "Công dân Việt Nam"),
        ("steps", "Nộp hồ sơ\n\n  Nhận kết quả  "),
        ("result", "Giấy xác nhận tình trạng hôn nhân"),
        ("legal_basis", "Luật Hộ tịch 2014"),
        ("eform", eform),
        ("paper-1-name", "Tờ khai theo mẫu"),
        ("paper-1-originals", "1"),
        ("paper-1-mandatory", "yes"),
    ] {
        set(&mut fields, k, v);
    }
    let res = post_fields(&admin, new, new, &fields).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("Mã thủ tục không đúng dạng"));
    set(&mut fields, "code", CODE);
    let res = post_fields(&admin, new, new, &fields).await;
    assert!(summary(&res).iter().any(|e| e.contains("đã có trong danh mục")), "{:?}", summary(&res));
    set(&mut fields, "code", "1.999001");
    let res = post_fields(&admin, new, new, &fields).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    assert_eq!(res.location(), "/quan-tri/thu-tuc/1.999001?da-luu=1");

    let p = procedure(&app, "1.999001");
    assert_eq!(p.name_lc, "cấp giấy xác nhận tình trạng hôn nhân (thí điểm)");
    assert!(p.search_text.starts_with("1 999001 cap giay xac nhan tinh trang hon nhan thi diem"), "{}", p.search_text);
    assert_eq!(p.steps, r#"["Nộp hồ sơ","Nhận kết quả"]"#);
    let public = app.get("/thu-tuc/1.999001").await;
    assert_eq!(public.status, 200);
    assert_eq!(public.html().text("h1"), "Cấp Giấy xác nhận tình trạng hôn nhân (thí điểm)");
    let found = app.get("/thu-tuc?q=tinh%20trang%20hon%20nhan%20thi%20diem").await;
    assert!(found.text().contains("1.999001"), "the full-text index has it");
    let form = app.get("/thu-tuc/1.999001/nop").await;
    assert_ne!(form.status, 500);
    assert_eq!(audit_of(&app, "procedure").len(), 1);
    assert!(
        audit_of(&app, "procedure")[0]
            .after_json
            .as_deref()
            .unwrap_or_default()
            .contains("Tờ khai xác nhận tình trạng hôn nhân")
    );
}

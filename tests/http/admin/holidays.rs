//! Holidays and make-up Saturdays: a year's list, adding, editing and deleting a day, and the
//! refusals (a weekday make-up day, a duplicate, a date outside 2000–2100, a year left without
//! a working day).

use super::{admin, audit_of, form_fields, post_fields, set, summary};
use crate::support::TestApp;
use chrono::{Datelike, NaiveDate, Weekday};
use dvc_portal::models::agency::Agency;
use dvc_portal::models::holiday::Holiday;
use dvc_portal::services::workflow::calendar_for;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date"))
}

fn is_working_day(app: &TestApp, day: NaiveDate) -> bool {
    let mut conn = app.conn();
    let agency = Agency::find_by_code(&mut conn, "000.20.01.H56").ok().flatten().unwrap_or_else(|| panic!("agency"));
    calendar_for(&mut conn, &agency.id).unwrap_or_else(|e| panic!("{e}")).is_working_day(day)
}

fn day_row(app: &TestApp, day: NaiveDate) -> Option<Holiday> {
    let mut conn = app.conn();
    Holiday::find(&mut conn, day).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_make_up_saturday_is_added_moved_and_deleted() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let list = "/quan-tri/ngay-nghi?nam=2027";
    let page = admin.get(list).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("249 ngày làm việc"), "{}", page.html().text("main p"));
    assert_eq!(page.html().count("tbody tr"), 15);
    assert!(!is_working_day(&app, date(2027, 2, 20)), "a Saturday");

    let add = |day: &'static str, kind: &'static str| {
        vec![("day", day), ("name", "Làm bù cho ngày 10/02/2027"), ("name_en", ""), ("kind", kind)]
    };
    let res = admin.submit(list, "/quan-tri/ngay-nghi", &add("2027-02-20", "makeup_working_day")).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.location(), "/quan-tri/ngay-nghi?nam=2027&da-luu=1");
    let page = admin.get(&res.location()).await;
    assert!(page.text().contains("250 ngày làm việc"));
    assert!(page.html().texts("tbody td").iter().any(|t| t == "Thứ Bảy, 20/02/2027"));
    assert!(is_working_day(&app, date(2027, 2, 20)), "the legal clock counts it at once");
    assert_eq!(day_row(&app, date(2027, 2, 20)).map(|h| h.source), Some("admin".to_owned()));

    for (fields, expected) in [
        (add("2027-02-22", "makeup_working_day"), "phải là thứ Bảy hoặc Chủ nhật"),
        (add("20/02/2027", "statutory"), "Ngày 20/02/2027 đã có trong danh sách"),
        (add("1999-12-31", "statutory"), "Chỉ nhận ngày từ năm 2000 đến năm 2100."),
        (add("2101-01-02", "statutory"), "Chỉ nhận ngày từ năm 2000 đến năm 2100."),
        (add("31/02/2027", "statutory"), "Ngày không hợp lệ"),
        (add("2027-03-01", ""), "Vui lòng chọn loại ngày."),
        (vec![("day", "2027-03-01"), ("kind", "statutory")], "Vui lòng nhập tên"),
    ] {
        let res = admin.submit(list, "/quan-tri/ngay-nghi", &fields).await;
        assert_eq!(res.status, 422, "{fields:?}");
        assert!(summary(&res).iter().any(|e| e.contains(expected)), "{expected}: {:?}", summary(&res));
    }
    for (path, status) in [
        ("/quan-tri/ngay-nghi?nam=1999", 400),
        ("/quan-tri/ngay-nghi?nam=abc", 400),
        ("/quan-tri/ngay-nghi?nam=2100", 200),
        ("/quan-tri/ngay-nghi", 200),
        ("/quan-tri/ngay-nghi/2027-13-01", 404),
        ("/quan-tri/ngay-nghi/2027-03-01", 404),
    ] {
        let res = admin.get(path).await;
        assert_eq!(res.status, status, "{path}");
        if status == 400 {
            assert!(res.text().contains("Năm phải là một số từ 2000 đến 2100."));
        }
    }

    // Moved to the next Saturday.
    let edit = "/quan-tri/ngay-nghi/2027-02-20";
    let mut fields = form_fields(&admin.get(edit).await, edit);
    set(&mut fields, "day", "27/02/2027");
    let res = post_fields(&admin, edit, edit, &fields).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(day_row(&app, date(2027, 2, 20)).is_none());
    assert!(is_working_day(&app, date(2027, 2, 27)));
    set(&mut fields, "day", "2027-02-08");
    let res = post_fields(&admin, "/quan-tri/ngay-nghi/2027-02-27", "/quan-tri/ngay-nghi/2027-02-27", &fields).await;
    assert_eq!(res.status, 422, "Mùng ba Tết is taken");

    let res = admin.submit(list, "/quan-tri/ngay-nghi/2027-02-27/xoa", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/quan-tri/ngay-nghi?nam=2027&da-luu=xoa");
    assert!(day_row(&app, date(2027, 2, 27)).is_none());
    assert_eq!(admin.submit(list, "/quan-tri/ngay-nghi/2027-02-27/xoa", &[]).await.status, 404);

    let audit = audit_of(&app, "holiday");
    assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), vec!["create", "update", "delete"]);
    assert!(audit[1].before_json.as_deref().unwrap_or_default().contains("20/02/2027"));
    assert!(audit[1].after_json.as_deref().unwrap_or_default().contains("27/02/2027"));
    assert!(audit[2].after_json.is_none());
    let log = admin.get("/quan-tri/nhat-ky?loai=holiday").await;
    assert_eq!(log.html().count(".audit-entry"), 3);
    assert_eq!(log.html().text(".audit-title"), "Xóa · Ngày nghỉ, ngày làm bù 27/02/2027");
}

#[tokio::test]
async fn a_list_that_leaves_a_year_without_a_working_day_is_refused() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let last = date(2031, 12, 31);
    {
        let mut conn = app.conn();
        for day in date(2031, 1, 1).iter_days().take_while(|d| *d < last) {
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
                || Holiday::find(&mut conn, day).ok().flatten().is_some()
            {
                continue;
            }
            let row = Holiday {
                day,
                name: "Nghỉ".into(),
                name_en: String::new(),
                kind: "substitute_day_off".into(),
                source: "admin".into(),
            };
            Holiday::insert(&mut conn, &row).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let list = "/quan-tri/ngay-nghi?nam=2031";
    assert!(admin.get(list).await.text().contains("1 ngày làm việc"));
    let fields = [("day", "31/12/2031"), ("name", "Nghỉ cuối năm"), ("kind", "statutory")];
    let res = admin.submit(list, "/quan-tri/ngay-nghi", &fields).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("năm 2031 không còn ngày làm việc nào"), "{:?}", summary(&res));
    assert!(day_row(&app, last).is_none(), "nothing was written");

    // With a make-up Saturday the same day off is accepted; that Saturday then cannot go.
    let saturday = [("day", "2031-12-27"), ("name", "Làm bù"), ("kind", "makeup_working_day")];
    assert_eq!(admin.submit(list, "/quan-tri/ngay-nghi", &saturday).await.status, 303);
    assert_eq!(admin.submit(list, "/quan-tri/ngay-nghi", &fields).await.status, 303);
    let res = admin.submit(list, "/quan-tri/ngay-nghi/2031-12-27/xoa", &[]).await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("không còn ngày làm việc nào"));
    let edit = "/quan-tri/ngay-nghi/2031-12-27";
    let mut f = form_fields(&admin.get(edit).await, edit);
    set(&mut f, "kind", "statutory");
    let res = post_fields(&admin, edit, edit, &f).await;
    assert_eq!(res.status, 422);
    assert!(summary(&res)[0].contains("không còn ngày làm việc nào"));
    assert!(is_working_day(&app, date(2031, 12, 27)), "unchanged");
    assert_eq!(audit_of(&app, "holiday").len(), 2, "only the two accepted changes");
}

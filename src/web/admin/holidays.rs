//! `/quan-tri/ngay-nghi`: a year's holidays and make-up working days; adding, editing and
//! deleting one.

use super::{ctx, invalid, options_with_blank};
use crate::error::AppError;
use crate::models::holiday::Holiday;
use crate::services::admin::holidays::{self as service, HolidayInput, KINDS, YearView, kind_label};
use crate::web::auth::Admin;
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, page, see_other};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// `?nam=2027&da-luu=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    nam: String,
    #[serde(rename = "da-luu")]
    da_luu: String,
}

/// A day of the list, ready to show.
pub struct DayLine {
    iso: String,
    year: i32,
    date: String,
    weekday: &'static str,
    name: String,
    kind: &'static str,
    working: bool,
    imported: bool,
}

fn weekday(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

fn line(h: Holiday) -> DayLine {
    DayLine {
        iso: h.day.format("%Y-%m-%d").to_string(),
        year: h.day.year(),
        date: h.day.format("%d/%m/%Y").to_string(),
        weekday: weekday(h.day),
        kind: kind_label(&h.kind),
        working: h.kind == "makeup_working_day",
        imported: h.source != "admin",
        name: h.name,
    }
}

fn kinds() -> Vec<(String, String)> {
    options_with_blank("— Chọn loại ngày —", KINDS.iter().map(|(k, l)| ((*k).to_owned(), (*l).to_owned())))
}

/// `templates/admin/holidays/list.html`.
#[derive(Template)]
#[template(path = "admin/holidays/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    f: FormState,
    year: i32,
    working_days: usize,
    days: Vec<DayLine>,
    kinds: Vec<(String, String)>,
    notice: Option<&'static str>,
}

async fn list_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    year: i32,
    f: FormState,
    notice: Option<&'static str>,
) -> Result<ListPage, AppError> {
    let view: YearView = state.db.run(move |conn| service::year(conn, year)).await?;
    Ok(ListPage {
        ctx: ctx(req, state, admin),
        f,
        year,
        working_days: view.working_days,
        days: view.days.into_iter().map(line).collect(),
        kinds: kinds(),
        notice,
    })
}

/// `GET /quan-tri/ngay-nghi?nam=2027`.
pub async fn list(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let year = match q.nam.trim() {
        "" => crate::clock::to_local(state.clock.now_naive()).year(),
        text => service::parse_year(text).map_err(|m| AppError::bad_request("year_invalid", m))?,
    };
    let notice = match q.da_luu.as_str() {
        "1" => Some("Đã lưu ngày nghỉ."),
        "xoa" => Some("Đã xóa ngày khỏi danh sách."),
        _ => None,
    };
    page(&list_page(&req, &state, &admin, year, FormState::empty(), notice).await?)
}

fn year_path(day: NaiveDate) -> String {
    format!("/quan-tri/ngay-nghi?nam={}&da-luu=1", day.year())
}

/// `POST /quan-tri/ngay-nghi`: adds a day.
pub async fn add(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    form: CsrfForm<HolidayInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.form;
    let values = input.values();
    let year = service::parse_day(&input.day)
        .map(|d| d.year())
        .unwrap_or_else(|_| crate::clock::to_local(state.clock.now_naive()).year());
    match service::add(&state.db, &state.clock, &admin.0.staff.id, input).await {
        Ok(h) => Ok(see_other(&year_path(h.day))),
        Err(AppError::Invalid(errors)) => {
            invalid(&list_page(&req, &state, &admin, year, FormState::new(values, errors), None).await?)
        }
        Err(e) => Err(e),
    }
}

/// `templates/admin/holidays/form.html`.
#[derive(Template)]
#[template(path = "admin/holidays/form.html")]
pub struct FormPage {
    ctx: PageCtx,
    f: FormState,
    day: DayLine,
    kinds: Vec<(String, String)>,
}

/// `GET /quan-tri/ngay-nghi/{day}`.
pub async fn edit_form(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let day = path.into_inner();
    let h = state.db.run(move |conn| service::find(conn, &day)).await?;
    let f = FormState::new(HolidayInput::of(&h).values(), Vec::new());
    page(&FormPage { ctx: ctx(&req, &state, &admin), f, day: line(h), kinds: kinds() })
}

/// `POST /quan-tri/ngay-nghi/{day}`.
pub async fn update(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<HolidayInput>,
) -> Result<HttpResponse, AppError> {
    let day = path.into_inner();
    let input = form.form;
    let values = input.values();
    match service::update(&state.db, &state.clock, &admin.0.staff.id, &day, input).await {
        Ok(h) => Ok(see_other(&year_path(h.day))),
        Err(AppError::Invalid(errors)) => {
            let h = state.db.run(move |conn| service::find(conn, &day)).await?;
            let f = FormState::new(values, errors);
            invalid(&FormPage { ctx: ctx(&req, &state, &admin), f, day: line(h), kinds: kinds() })
        }
        Err(e) => Err(e),
    }
}

/// `POST /quan-tri/ngay-nghi/{day}/xoa`.
pub async fn delete(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let h = service::delete(&state.db, &state.clock, &admin.0.staff.id, &path.into_inner()).await?;
    Ok(see_other(&format!("/quan-tri/ngay-nghi?nam={}&da-luu=xoa", h.day.year())))
}

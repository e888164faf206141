//! Reconciliation of online payments (đối soát) for finance officers: a day's attempts as
//! recorded here beside the gateway's statement, per beneficiary account, with the differences
//! named; the day's alerts; a CSV of the same lines; and "Kiểm tra lại" (QUERY) per line.
//!
//! The gateway is asked in `web::block`, outside any transaction; if it cannot be reached the
//! page still shows the portal's side, with a notice.

use crate::clock::{to_local, to_utc};
use crate::domain::money::Vnd;
use crate::domain::payment::TxStatus;
use crate::error::AppError;
use crate::integrations::paygov::{GatewayError, wire};
use crate::models::payment::{FeeAccount, PaymentMessage};
use crate::queries::reconciliation::{self as q, AccountGroup, Report, Row, Scope};
use crate::services::payments::{self, Payments};
use crate::services::workflow;
use crate::web::auth::{Finance, SessionStaff, Viewer};
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, encode_component, local_time, page_with_status, see_other};
use crate::web::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Deserialize;

/// The query of the page and of the CSV.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    /// The day, `yyyy-mm-dd` (or `dd/mm/yyyy`); empty: today.
    ngay: String,
    /// One beneficiary account; empty: all.
    tai_khoan: String,
    /// After "Kiểm tra lại": the reference checked…
    kiem_tra: String,
    /// …and its state afterwards (a [`TxStatus`] code, or `loi`).
    ket_qua: String,
}

/// One line of the page.
pub struct RowView {
    reference: String,
    dossier_code: String,
    link: Option<String>,
    time: String,
    amount: String,
    status: String,
    gateway_id: String,
    their_amount: String,
    their_state: String,
    their_id: String,
    /// `Lệch: …`, when the two sides differ.
    mismatch: Option<String>,
    recheck: bool,
}

/// One account's lines and totals.
pub struct GroupView {
    account: String,
    rows: Vec<RowView>,
    ours_paid: String,
    theirs_paid: String,
    mismatched: usize,
}

/// One alert.
pub struct AlertView {
    at: String,
    source: &'static str,
    reference: String,
    outcome: &'static str,
    detail: String,
}

/// `templates/officer/reconciliation/report.html`.
#[derive(Template)]
#[template(path = "officer/reconciliation/report.html")]
pub struct ReportPage {
    ctx: PageCtx,
    f: FormState,
    scope_name: String,
    /// `dd/mm/yyyy`, empty when the day asked for is not valid.
    day_label: String,
    accounts: Vec<(String, String)>,
    groups: Vec<GroupView>,
    compared: bool,
    gateway_notice: Option<String>,
    notice: Option<String>,
    alerts: Vec<AlertView>,
    csv_link: String,
}

fn scope_of(conn: &mut crate::db::DbConn, staff: &SessionStaff) -> Result<Scope, AppError> {
    if staff.agency.kind == "province" {
        return Ok(Scope::Province);
    }
    let fee_account = FeeAccount::of_agency(conn, &staff.agency.id)?.and_then(|a| a.account);
    Ok(Scope::Agency { id: staff.agency.id.clone(), fee_account })
}

/// The day asked for: today (Vietnam time) when empty.
fn parse_day(text: &str, now: NaiveDateTime) -> Result<NaiveDate, String> {
    if text.trim().is_empty() {
        return Ok(to_local(now).date());
    }
    crate::services::admin::holidays::parse_day(text)
}

/// The UTC range of a Vietnam-local day.
fn utc_range(day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let start = day.and_time(NaiveTime::MIN);
    (to_utc(start), to_utc(start + chrono::TimeDelta::days(1)))
}

/// The gateway's statement of the day, or why there is none (in Vietnamese). Blocking.
fn statement(
    payments: &Payments,
    day: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<wire::StatementEntry>, String> {
    let Some(gateway) = payments.gateway.as_ref() else {
        return Err("Chưa cấu hình cổng thanh toán: dưới đây chỉ là số liệu ghi nhận trên Cổng Dịch vụ công, chưa được đối chiếu.".into());
    };
    let ngay = day.format("%Y%m%d").to_string();
    let unreachable = "Không kết nối được cổng thanh toán: dưới đây chỉ là số liệu ghi nhận trên Cổng Dịch vụ công, \
                       chưa được đối chiếu. Vui lòng thử lại sau ít phút.";
    match gateway.statement(&ngay, &wire::timestamp(now)) {
        Ok(a) if a.ngay == ngay && a.ma_doi_tac == gateway.config().partner => Ok(a.giao_dich),
        Ok(_) => {
            tracing::warn!("payment statement names another day or partner");
            Err("Cổng thanh toán trả lời không hợp lệ (sai ngày hoặc mã đối tác): số liệu chưa được đối chiếu.".into())
        }
        Err(GatewayError::Unavailable(e)) => {
            tracing::warn!(error = %e, "payment statement unavailable");
            Err(unreachable.into())
        }
        Err(e @ GatewayError::BadAnswer(_)) => {
            tracing::warn!(error = %e, "payment statement refused");
            Err("Cổng thanh toán trả lời không hợp lệ (sai chữ ký hoặc định dạng): số liệu chưa được đối chiếu.".into())
        }
        Err(GatewayError::Refused { code, .. }) => {
            tracing::warn!(code = %code, "payment statement refused by the gateway");
            Err(format!("Cổng thanh toán từ chối yêu cầu đối soát (mã lỗi {code}): số liệu chưa được đối chiếu."))
        }
    }
}

/// Everything the page and the CSV show of a day.
struct Loaded {
    report: Report,
    alerts: Vec<PaymentMessage>,
    gateway_notice: Option<String>,
}

/// Asks the gateway, then reads the day in scope, marking the dossiers the viewer may open.
async fn load(state: &AppState, staff: &SessionStaff, day: NaiveDate, account: &str) -> Result<Loaded, AppError> {
    let settings = Payments::from_config(&state.config);
    let now = state.clock.now();
    let answer = web::block(move || statement(&settings, day, now)).await?;
    let (from, to) = utc_range(day);
    let staff = staff.clone();
    let account = Some(account.to_owned()).filter(|a| !a.is_empty());
    state
        .db
        .run(move |conn| {
            let scope = scope_of(conn, &staff)?;
            let (entries, gateway_notice) = match &answer {
                Ok(entries) => (Some(entries.as_slice()), None),
                Err(notice) => (None, Some(notice.clone())),
            };
            let report = q::report(conn, &scope, from, to, entries, account.as_deref())?;
            let alerts = q::alerts(conn, &scope, from, to)?;
            Ok(Loaded { report, alerts, gateway_notice })
        })
        .await
}

/// Which dossiers the viewer may open on the staff dossier page (officers only).
async fn links(state: &AppState, staff: &SessionStaff, report: &Report) -> Result<Vec<String>, AppError> {
    if !staff.is_officer() {
        return Ok(Vec::new());
    }
    let officer = workflow::Officer::new(&staff.staff, &staff.roles);
    let dossiers: Vec<_> = report.groups.iter().flat_map(|g| &g.rows).filter_map(|r| r.dossier.clone()).collect();
    state
        .db
        .run(move |conn| {
            let mut out = Vec::new();
            for d in dossiers {
                if workflow::visible(conn, &officer, &d)? {
                    out.push(d.code);
                }
            }
            Ok(out)
        })
        .await
}

fn row_view(r: &Row, compared: bool, openable: &[String]) -> RowView {
    let code = r.dossier.as_ref().map(|d| d.code.clone()).unwrap_or_default();
    RowView {
        link: openable.contains(&code).then(|| format!("/can-bo/ho-so/{code}")),
        dossier_code: code,
        reference: r.reference.clone(),
        time: r.initiated_at.map(|t| local_time(&t)).unwrap_or_default(),
        amount: r.ours.as_ref().map(|o| Vnd(o.amount).to_string()).unwrap_or_default(),
        status: r.ours.as_ref().map(|o| o.status.label().to_owned()).unwrap_or_default(),
        gateway_id: r.ours.as_ref().and_then(|o| o.gateway_id.clone()).unwrap_or_default(),
        their_amount: r.theirs.as_ref().map(|t| Vnd(t.amount).to_string()).unwrap_or_default(),
        their_state: r.theirs.as_ref().map(|t| t.state_label()).unwrap_or_default(),
        their_id: r.theirs.as_ref().map(|t| t.gateway_id.clone()).unwrap_or_default(),
        mismatch: (compared && !r.mismatches.is_empty()).then(|| format!("Lệch: {}", r.mismatches.join("; "))),
        recheck: r.recheckable(),
    }
}

fn tally(t: q::Tally) -> String {
    format!("{} giao dịch, {}", t.count, Vnd(t.amount))
}

fn group_view(g: &AccountGroup, compared: bool, openable: &[String]) -> GroupView {
    GroupView {
        account: if g.account.is_empty() { "(không rõ)".to_owned() } else { g.account.clone() },
        rows: g.rows.iter().map(|r| row_view(r, compared, openable)).collect(),
        ours_paid: tally(g.ours_paid),
        theirs_paid: if compared { tally(g.theirs_paid) } else { "Chưa đối chiếu".to_owned() },
        mismatched: g.mismatched,
    }
}

fn alert_view(m: &PaymentMessage) -> AlertView {
    AlertView {
        at: local_time(&m.received_at),
        source: if m.source == "query" {
            "Trả lời truy vấn (QUERY)"
        } else {
            "Thông báo kết quả (CONFIRM)"
        },
        reference: m.reference.clone().unwrap_or_default(),
        outcome: q::outcome_label(&m.outcome),
        detail: m.detail.clone(),
    }
}

fn notice_of(q: &ReportQuery) -> Option<String> {
    if q.kiem_tra.is_empty() {
        return None;
    }
    Some(match TxStatus::parse(&q.ket_qua) {
        Some(TxStatus::Pending) => format!(
            "Đã kiểm tra lại giao dịch {}: cổng thanh toán chưa có kết quả cuối cùng (hoặc chưa phản hồi); \
             giao dịch vẫn ở trạng thái «Đang xác nhận».",
            q.kiem_tra
        ),
        Some(s) => format!("Đã kiểm tra lại giao dịch {}: trạng thái hiện tại «{}».", q.kiem_tra, s.label()),
        None => format!("Chưa kiểm tra lại được giao dịch {}: chưa cấu hình cổng thanh toán.", q.kiem_tra),
    })
}

fn scope_name(state: &AppState, staff: &SessionStaff) -> String {
    if staff.agency.kind == "province" {
        format!("toàn tỉnh {}", state.config.province_name)
    } else {
        staff.agency.name.clone()
    }
}

/// `GET /can-bo/doi-soat?ngay=&tai_khoan=`.
pub async fn report(
    req: HttpRequest,
    finance: Finance,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let staff = &finance.0;
    let query = query.into_inner();
    let ctx = PageCtx::new(&req, &state.config.province_name, Some(&Viewer::of_staff(staff)));
    let f = FormState::empty().with("ngay", &query.ngay).with("tai_khoan", &query.tai_khoan);
    let day = match parse_day(&query.ngay, state.clock.now_naive()) {
        Ok(day) => day,
        Err(message) => {
            let page = ReportPage {
                ctx,
                f: FormState::new(Default::default(), vec![("ngay".into(), message)]).with("ngay", &query.ngay),
                scope_name: scope_name(&state, staff),
                day_label: String::new(),
                accounts: vec![(String::new(), "Tất cả tài khoản".to_owned())],
                groups: Vec::new(),
                compared: false,
                gateway_notice: None,
                notice: None,
                alerts: Vec::new(),
                csv_link: String::new(),
            };
            return page_with_status(StatusCode::BAD_REQUEST, &page);
        }
    };
    let loaded = load(&state, staff, day, &query.tai_khoan).await?;
    let openable = links(&state, staff, &loaded.report).await?;
    let compared = loaded.report.compared;
    let mut accounts = vec![(String::new(), "Tất cả tài khoản".to_owned())];
    accounts.extend(loaded.report.accounts.iter().map(|a| (a.clone(), a.clone())));
    let iso = day.format("%Y-%m-%d").to_string();
    page_with_status(
        StatusCode::OK,
        &ReportPage {
            scope_name: scope_name(&state, staff),
            f: f.with("ngay", &iso),
            day_label: day.format("%d/%m/%Y").to_string(),
            accounts,
            groups: loaded.report.groups.iter().map(|g| group_view(g, compared, &openable)).collect(),
            compared,
            gateway_notice: loaded.gateway_notice,
            notice: notice_of(&query),
            alerts: loaded.alerts.iter().map(alert_view).collect(),
            csv_link: format!("/can-bo/doi-soat.csv?ngay={iso}&tai_khoan={}", encode_component(&query.tai_khoan)),
            ctx,
        },
    )
}

/// A CSV cell that a spreadsheet will not read as a formula.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

/// The CSV of a day's lines: UTF-8 with a byte-order mark (for spreadsheets), header in
/// Vietnamese.
fn to_csv(report: &Report) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let internal = |e: csv::Error| AppError::Internal(anyhow::anyhow!("csv: {e}"));
        w.write_record([
            "Tài khoản thụ hưởng",
            "Mã tham chiếu",
            "Mã hồ sơ",
            "Thời điểm khởi tạo",
            "Số tiền (Cổng DVC)",
            "Trạng thái (Cổng DVC)",
            "Mã giao dịch (Cổng DVC)",
            "Số tiền (cổng thanh toán)",
            "Trạng thái (cổng thanh toán)",
            "Mã giao dịch (cổng thanh toán)",
            "Kết quả đối chiếu",
        ])
        .map_err(internal)?;
        for g in &report.groups {
            for r in &g.rows {
                let result = match (report.compared, r.mismatches.is_empty()) {
                    (false, _) => "Chưa đối chiếu".to_owned(),
                    (true, true) => "Khớp".to_owned(),
                    (true, false) => format!("Lệch: {}", r.mismatches.join("; ")),
                };
                w.write_record([
                    cell(&g.account),
                    cell(&r.reference),
                    cell(&r.dossier.as_ref().map(|d| d.code.clone()).unwrap_or_default()),
                    r.initiated_at.map(|t| local_time(&t)).unwrap_or_default(),
                    r.ours.as_ref().map(|o| o.amount.to_string()).unwrap_or_default(),
                    r.ours.as_ref().map(|o| o.status.label().to_owned()).unwrap_or_default(),
                    cell(&r.ours.as_ref().and_then(|o| o.gateway_id.clone()).unwrap_or_default()),
                    r.theirs.as_ref().map(|t| t.amount.to_string()).unwrap_or_default(),
                    r.theirs.as_ref().map(|t| t.state_label()).unwrap_or_default(),
                    cell(&r.theirs.as_ref().map(|t| t.gateway_id.clone()).unwrap_or_default()),
                    result,
                ])
                .map_err(internal)?;
            }
        }
        w.flush().map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))?;
    }
    Ok(out)
}

/// `GET /can-bo/doi-soat.csv?ngay=&tai_khoan=`.
pub async fn csv(
    finance: Finance,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let staff = &finance.0;
    let day = parse_day(&query.ngay, state.clock.now_naive()).map_err(|m| AppError::bad_request("bad_day", m))?;
    let loaded = load(&state, staff, day, &query.tai_khoan).await?;
    let body = to_csv(&loaded.report)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"doi-soat-{}.csv\"", day.format("%Y-%m-%d")),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// The form of "Kiểm tra lại": where to come back to.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RecheckForm {
    ngay: String,
    tai_khoan: String,
}

/// `POST /can-bo/doi-soat/kiem-tra/{reference}`: asks the gateway about one attempt (QUERY) and
/// comes back to the report with its state.
pub async fn recheck(
    finance: Finance,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    form: CsrfForm<RecheckForm>,
) -> Result<HttpResponse, AppError> {
    let staff = finance.0.clone();
    let reference = reference.into_inner();
    let found = {
        let reference = reference.clone();
        state
            .db
            .run(move |conn| {
                let scope = scope_of(conn, &staff)?;
                Ok(q::attempt(conn, &reference)?.filter(|a| scope.covers(&a.dossier)))
            })
            .await?
    };
    let attempt = found.ok_or(AppError::NotFound("giao dịch"))?;
    let (db, clock, settings) = (state.db.clone(), state.clock.clone(), Payments::from_config(&state.config));
    let checked = {
        let reference = attempt.t.reference.clone();
        web::block(move || payments::check(&db, &clock, &settings, &reference)).await?
    };
    let outcome = match checked {
        Ok(s) => s.code(),
        Err(AppError::BadRequest { .. }) => "loi",
        Err(e) => return Err(e),
    };
    tracing::info!(staff.id = %finance.0.staff.id, outcome, "payment rechecked by a finance officer");
    let day = Some(form.form.ngay.as_str())
        .filter(|n| !n.trim().is_empty())
        .and_then(|n| crate::services::admin::holidays::parse_day(n).ok())
        .unwrap_or_else(|| to_local(attempt.t.initiated_at).date());
    Ok(see_other(&format!(
        "/can-bo/doi-soat?ngay={}&tai_khoan={}&kiem_tra={}&ket_qua={outcome}#thong-bao",
        day.format("%Y-%m-%d"),
        encode_component(&form.form.tai_khoan),
        encode_component(&attempt.t.reference),
    )))
}

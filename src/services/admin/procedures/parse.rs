//! Turning the procedure form into rows: shape checks first, then the checks that need the
//! database; every refusal is a Vietnamese message on its field.

use super::input::{FeeRow, PaperRow, ProcedureInput};
use crate::db::DbConn;
use crate::domain::catalogue::{AgencyKind, Channel, FeeKind, Level, OnlineLevel, TimeLimitUnit, is_procedure_code};
use crate::domain::fold::{clean, fold, lower};
use crate::domain::form::FormDefinition;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::procedure::{Field, Procedure, ProcedureFee, ProcedurePaper};
use crate::models::staff::roles;
use crate::models::workflow::WorkflowStep;
use crate::services::admin::{Errors, new_id, optional, push, required};

/// The longest e-form definition accepted, in bytes.
pub const MAX_EFORM_BYTES: usize = 200_000;
/// The roles a workflow step may name.
pub const STEP_ROLES: [&str; 3] = [roles::ONE_STOP, roles::SPECIALIST, roles::LEADER];

fn lines(text: &str) -> Vec<String> {
    text.lines().map(clean).filter(|l| !l.is_empty()).collect()
}

/// Parses an amount in VND: `50000`, `50.000`, `50 000 đ`.
pub fn parse_amount(text: &str) -> Result<i64, &'static str> {
    let t = text.trim().trim_end_matches(['đ', 'Đ']).trim_end_matches("VND").trim_end_matches("vnd");
    let digits: String = t.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}')).collect();
    if digits.is_empty() {
        return Err("Vui lòng nhập mức thu (số tiền bằng đồng, nhập 0 nếu miễn).");
    }
    match digits.parse::<i64>() {
        Ok(v) if digits.chars().all(|c| c.is_ascii_digit()) && v <= 1_000_000_000_000 => Ok(v),
        _ => Err("Mức thu là số tiền nguyên bằng đồng, ví dụ 50000 hoặc 50.000."),
    }
}

fn small_count(errors: &mut Errors, field: &str, text: &str) -> i32 {
    match text.trim() {
        "" => 0,
        t => match t.parse::<i32>() {
            Ok(n) if (0..=20).contains(&n) => n,
            _ => {
                push(errors, field, "Số bản là số nguyên từ 0 đến 20.");
                0
            }
        },
    }
}

/// Everything a valid form becomes.
pub(super) struct Parsed {
    pub(super) row: Procedure,
    pub(super) fees: Vec<ProcedureFee>,
    pub(super) papers: Vec<ProcedurePaper>,
    pub(super) eform: Option<String>,
    pub(super) workflow: Vec<WorkflowStep>,
    /// The form index of each workflow step, in the steps' order.
    pub(super) step_rows: Vec<usize>,
}

type Rows = (Vec<ProcedureFee>, Vec<ProcedurePaper>, Vec<WorkflowStep>, Vec<usize>);

fn parse_rows(input: &ProcedureInput, id: &str, errors: &mut Errors) -> Rows {
    let mut fees = Vec::new();
    for r in input.fees.iter().filter(|r| **r != FeeRow { index: r.index, ..Default::default() }) {
        let key = |f: &str| format!("fee-{}-{f}", r.index);
        let kind = FeeKind::parse(r.kind.trim());
        if kind.is_none() {
            push(errors, &key("kind"), "Vui lòng chọn loại: phí hoặc lệ phí.");
        }
        let description =
            required(errors, &key("description"), &r.description, 300, "Vui lòng nhập nội dung khoản thu.");
        let amount = parse_amount(&r.amount).map_err(|m| push(errors, &key("amount"), m)).unwrap_or(0);
        let per_unit = optional(errors, &key("per_unit"), &r.per_unit, 50);
        fees.push(ProcedureFee {
            id: new_id(),
            procedure_id: id.to_owned(),
            position: i32::try_from(fees.len()).unwrap_or(i32::MAX),
            kind: kind.map_or("", FeeKind::code).to_owned(),
            description,
            amount_vnd: amount,
            per_unit,
        });
    }
    let mut papers = Vec::new();
    for r in input.papers.iter().filter(|r| **r != PaperRow { index: r.index, ..Default::default() }) {
        let key = |f: &str| format!("paper-{}-{f}", r.index);
        let name = required(errors, &key("name"), &r.name, 500, "Vui lòng nhập tên giấy tờ.");
        papers.push(ProcedurePaper {
            id: new_id(),
            procedure_id: id.to_owned(),
            position: i32::try_from(papers.len()).unwrap_or(i32::MAX),
            name,
            originals: small_count(errors, &key("originals"), &r.originals),
            copies: small_count(errors, &key("copies"), &r.copies),
            mandatory: r.mandatory,
            note: optional(errors, &key("note"), &r.note, 500),
        });
    }
    if papers.is_empty() {
        push(errors, "papers", "Thủ tục cần ít nhất một giấy tờ trong thành phần hồ sơ.");
    }
    let mut steps: Vec<(i64, usize, WorkflowStep)> = Vec::new();
    for r in
        input.workflow.iter().filter(|r| !(r.name.trim().is_empty() && r.role.is_empty() && r.agency_id.is_empty()))
    {
        let key = |f: &str| format!("step-{}-{f}", r.index);
        let name = required(errors, &key("name"), &r.name, 200, "Vui lòng nhập tên bước xử lý.");
        if !STEP_ROLES.contains(&r.role.as_str()) {
            push(errors, &key("role"), "Vui lòng chọn vai trò thực hiện bước này.");
        }
        let order = match r.order.trim() {
            "" => i64::try_from(r.index).unwrap_or(i64::MAX),
            t => t.parse::<i64>().ok().filter(|o| (1..=999).contains(o)).unwrap_or_else(|| {
                push(errors, &key("order"), "Thứ tự là số nguyên từ 1 đến 999.");
                0
            }),
        };
        let step = WorkflowStep {
            id: new_id(),
            procedure_id: id.to_owned(),
            position: 0,
            name,
            agency_id: Some(r.agency_id.trim().to_owned()).filter(|a| !a.is_empty()),
            role: r.role.clone(),
        };
        steps.push((order, r.index, step));
    }
    steps.sort_by_key(|(order, index, _)| (*order, *index));
    let step_rows = steps.iter().map(|(_, index, _)| *index).collect();
    let workflow = steps
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, s))| WorkflowStep { position: i32::try_from(i + 1).unwrap_or(i32::MAX), ..s })
        .collect();
    (fees, papers, workflow, step_rows)
}

/// Checks the form's shape; `row` brings the id, code (when editing), popularity and times.
pub(super) fn parse(input: &ProcedureInput, mut row: Procedure, creating: bool) -> (Parsed, Errors) {
    let mut errors = Errors::new();
    if creating {
        row.code = input.get("code").trim().to_owned();
        if row.code.is_empty() {
            push(&mut errors, "code", "Vui lòng nhập mã thủ tục.");
        } else if !is_procedure_code(&row.code) {
            push(&mut errors, "code", "Mã thủ tục không đúng dạng 1.001193 (một chữ số, dấu chấm, sáu chữ số).");
        }
    }
    row.name = required(&mut errors, "name", input.get("name"), 500, "Vui lòng nhập tên thủ tục.");
    row.field_code = input.get("field_code").trim().to_owned();
    if row.field_code.is_empty() {
        push(&mut errors, "field_code", "Vui lòng chọn lĩnh vực.");
    }
    let level = Level::parse(input.get("level").trim());
    match level {
        None => push(&mut errors, "level", "Vui lòng chọn cấp thực hiện."),
        Some(l) => row.level = l.code().to_owned(),
    }
    row.agency_id = Some(input.get("agency_id").trim().to_owned()).filter(|a| !a.is_empty());
    match (level, &row.agency_id) {
        (Some(Level::Province), None) => {
            push(&mut errors, "agency_id", "Thủ tục cấp tỉnh cần chọn sở, ngành thực hiện.")
        }
        (Some(Level::Commune), Some(_)) => {
            push(&mut errors, "agency_id", "Thủ tục cấp xã do Ủy ban nhân dân cấp xã thực hiện: không chọn sở, ngành.")
        }
        _ => {}
    }
    row.implementing_agency = required(
        &mut errors,
        "implementing_agency",
        input.get("implementing_agency"),
        300,
        "Vui lòng nhập cơ quan thực hiện.",
    );
    match input.get("online_level").trim().parse::<i64>().ok().and_then(OnlineLevel::new) {
        Some(l) => row.online_level = i32::from(l.number()),
        None => push(&mut errors, "online_level", "Vui lòng chọn mức độ dịch vụ công trực tuyến từ 1 đến 4."),
    }
    match input.get("time_limit_value").trim().parse::<i32>() {
        Ok(v) if (1..=999).contains(&v) => row.time_limit_value = v,
        _ => push(&mut errors, "time_limit_value", "Thời hạn giải quyết là số nguyên từ 1 đến 999."),
    }
    match TimeLimitUnit::parse(input.get("time_limit_unit").trim()) {
        Some(u) => row.time_limit_unit = u.code().to_owned(),
        None => push(&mut errors, "time_limit_unit", "Vui lòng chọn đơn vị thời hạn."),
    }
    row.time_limit_note = optional(&mut errors, "time_limit_note", input.get("time_limit_note"), 500);
    row.restart_after_supplement = input.restart_after_supplement;
    row.restart_after_payment = input.restart_after_payment;
    row.subjects = required(&mut errors, "subjects", input.get("subjects"), 500, "Vui lòng nhập đối tượng thực hiện.");
    let channels: Vec<Channel> =
        Channel::ALL.iter().copied().filter(|c| input.channels.iter().any(|x| x == c.code())).collect();
    if channels.is_empty() || input.channels.iter().any(|c| Channel::parse(c).is_none()) {
        push(&mut errors, "channels", "Vui lòng chọn ít nhất một cách thức thực hiện.");
    }
    row.channels = channels.iter().map(|c| c.code()).collect::<Vec<_>>().join(",");
    let steps = lines(input.get("steps"));
    if steps.is_empty() {
        push(&mut errors, "steps", "Vui lòng nhập trình tự thực hiện, mỗi bước một dòng.");
    } else if steps.len() > 50 || steps.iter().any(|s| s.chars().count() > 2000) {
        push(&mut errors, "steps", "Trình tự thực hiện có tối đa 50 bước, mỗi bước tối đa 2000 ký tự.");
    }
    row.steps = serde_json::to_string(&steps).unwrap_or_else(|_| "[]".into());
    row.requirements = optional(&mut errors, "requirements", input.get("requirements"), 5000);
    row.result = required(&mut errors, "result", input.get("result"), 1000, "Vui lòng nhập kết quả thực hiện.");
    let legal = lines(input.get("legal_basis"));
    if legal.len() > 50 || legal.iter().any(|s| s.chars().count() > 1000) {
        push(&mut errors, "legal_basis", "Căn cứ pháp lý có tối đa 50 văn bản, mỗi dòng tối đa 1000 ký tự.");
    }
    row.legal_basis = serde_json::to_string(&legal).unwrap_or_else(|_| "[]".into());
    let eform = match input.get("eform").trim() {
        "" => None,
        json if json.len() > MAX_EFORM_BYTES => {
            push(&mut errors, "eform", "Định nghĩa biểu mẫu điện tử quá lớn (tối đa 200 KB).");
            None
        }
        json => match FormDefinition::parse_json(json) {
            Ok(_) => Some(json.to_owned()),
            Err(m) => {
                push(&mut errors, "eform", format!("Biểu mẫu điện tử không hợp lệ: {m}"));
                None
            }
        },
    };
    let (fees, papers, workflow, step_rows) = parse_rows(input, &row.id, &mut errors);
    (Parsed { row, fees, papers, eform, workflow, step_rows }, errors)
}

/// The checks that need the database; fills the name forms and search text as the demo seed does.
pub(super) fn check(conn: &mut DbConn, p: &mut Parsed, creating: bool, errors: &mut Errors) -> Result<(), AppError> {
    let row = &mut p.row;
    if creating && !row.code.is_empty() && Procedure::find_by_code(conn, &row.code)?.is_some() {
        push(errors, "code", format!("Mã thủ tục {} đã có trong danh mục.", row.code));
    }
    let field_name = Field::all(conn)?.into_iter().find(|f| f.code == row.field_code).map(|f| f.name);
    if field_name.is_none() && !row.field_code.is_empty() {
        push(errors, "field_code", "Lĩnh vực đã chọn không tồn tại.");
    }
    let mut agency_name = String::new();
    if let Some(id) = &row.agency_id {
        match Agency::find(conn, id)? {
            Some(a) if a.kind != AgencyKind::Commune.code() => agency_name = a.name,
            _ => push(errors, "agency_id", "Sở, ngành đã chọn không tồn tại."),
        }
    }
    for (s, index) in p.workflow.iter().zip(&p.step_rows) {
        if let Some(id) = &s.agency_id {
            if Agency::find(conn, id)?.is_none() {
                push(errors, &format!("step-{index}-agency_id"), "Cơ quan của bước xử lý không tồn tại.");
            }
        }
    }
    row.name_lc = lower(&row.name);
    row.search_text = fold(&format!(
        "{} {} {} {} {}",
        row.code,
        row.name,
        field_name.unwrap_or_default(),
        row.implementing_agency,
        agency_name
    ));
    Ok(())
}

//! Turning the procedure form into rows: shape checks first, then the checks that need the
//! database; every refusal is a Vietnamese message on its field.

use super::input::{FeeRow, PaperRow, ProcedureInput};
use crate::db::DbConn;
use crate::domain::catalogue::{AgencyKind, Channel, FeeKind, Level, OnlineLevel, TimeLimitUnit, is_procedure_code};
use crate::domain::fold::{clean, fold, lower};
use crate::domain::form::{FieldKind, FormDefinition};
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
/// When a procedure's fees are due: `(code, label)`.
pub const FEE_TIMINGS: [(&str, &str); 2] =
    [("submission", "Khi nộp hồ sơ trực tuyến (toàn trình)"), ("request", "Khi cơ quan yêu cầu")];
/// The pseudo-field of a fee condition naming the dossier's channel (`@kenh=truc-tuyen`).
pub const CHANNEL_FIELD: &str = "@kenh";
/// The pseudo-field of a fee the officer decides on when asking for fees (`@can-bo=co`): never
/// assessed from the e-form.
pub const OFFICER_FIELD: &str = "@can-bo";

const WHEN_SHAPE: &str = "Điều kiện áp dụng có dạng tên_trường=giá_trị (tên trường viết thường không dấu), ví dụ \
     hinh_thuc_nhan=buu_chinh; hoặc @kenh=truc-tuyen, @kenh=truc-tiep, @can-bo=co.";

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

/// An e-form field name: ASCII snake_case, at most 64 characters.
fn is_field_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The e-form field holding a fee's quantity: a number field of the procedure's e-form.
fn quantity_field(errors: &mut Errors, key: &str, text: &str, form: Option<&FormDefinition>) -> Option<String> {
    let name = text.trim();
    if name.is_empty() {
        return None;
    }
    if !is_field_name(name) {
        push(errors, key, "Tên trường số lượng viết thường không dấu, nối bằng dấu gạch dưới, ví dụ so_ban_sao.");
    } else if let Some(form) = form
        && !form.fields().any(|f| f.name == name && matches!(f.kind, FieldKind::Number { .. }))
    {
        push(errors, key, format!("Biểu mẫu điện tử của thủ tục không có trường số «{name}»."));
    }
    Some(name.to_owned())
}

/// A fee's condition `field=value`: a field of the procedure's e-form (and one of its options,
/// for a choice), the channel, or the officer's decision.
fn condition(errors: &mut Errors, key: &str, text: &str, form: Option<&FormDefinition>) -> Option<(String, String)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let Some((field, value)) = text.split_once('=').map(|(f, v)| (f.trim(), v.trim())) else {
        push(errors, key, WHEN_SHAPE);
        return None;
    };
    let shaped = match field {
        CHANNEL_FIELD => Channel::parse(value).is_some(),
        OFFICER_FIELD => value == "co",
        _ => is_field_name(field) && !value.is_empty() && value.chars().count() <= 200 && !value.contains('='),
    };
    if !shaped {
        push(errors, key, WHEN_SHAPE);
        return None;
    }
    if let Some(form) = form.filter(|_| !field.starts_with('@')) {
        match form.fields().find(|f| f.name == field).map(|f| &f.kind) {
            None => push(errors, key, format!("Biểu mẫu điện tử của thủ tục không có trường «{field}».")),
            Some(FieldKind::Select { options }) if !options.iter().any(|o| o.value == value) => {
                let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
                push(errors, key, format!("Trường «{field}» không có lựa chọn «{value}» (có: {}).", values.join(", ")));
            }
            Some(_) => {}
        }
    }
    Some((field.to_owned(), value.to_owned()))
}

/// An account fees are paid into: number, bank code and holder, all three or none. `keys` are
/// the three fields' names.
pub fn fee_account(errors: &mut Errors, keys: [&str; 3], values: [&str; 3]) -> Option<(String, String, String)> {
    let account: String = values[0].chars().filter(|c| !c.is_whitespace()).collect();
    let bank = values[1].trim().to_ascii_uppercase();
    let name = clean(values[2]);
    let given = [!account.is_empty(), !bank.is_empty(), !name.is_empty()];
    if given.iter().all(|g| !g) {
        return None;
    }
    let before = errors.len();
    for (key, given) in keys.iter().zip(given) {
        if !given {
            push(errors, key, "Vui lòng nhập đủ số tài khoản, mã ngân hàng và tên chủ tài khoản, hoặc để trống cả ba.");
        }
    }
    let account_ok =
        (4..=34).contains(&account.len()) && account.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if given[0] && !account_ok {
        push(errors, keys[0], "Số tài khoản gồm chữ số (có thể có dấu chấm, gạch ngang), từ 4 đến 34 ký tự.");
    }
    if given[1] && !((2..=20).contains(&bank.len()) && bank.chars().all(|c| c.is_ascii_alphanumeric())) {
        push(errors, keys[1], "Mã ngân hàng gồm chữ cái và chữ số, không dấu, ví dụ CTG hoặc 970415.");
    }
    if name.chars().count() > 200 {
        push(errors, keys[2], "Tên chủ tài khoản dài tối đa 200 ký tự.");
    }
    (errors.len() == before).then_some((account, bank, name))
}

fn parse_rows(input: &ProcedureInput, id: &str, form: Option<&FormDefinition>, errors: &mut Errors) -> Rows {
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
        let quantity_field = quantity_field(errors, &key("quantity_field"), &r.quantity_field, form);
        let when = condition(errors, &key("when"), &r.when, form);
        fees.push(ProcedureFee {
            id: new_id(),
            procedure_id: id.to_owned(),
            position: i32::try_from(fees.len()).unwrap_or(i32::MAX),
            kind: kind.map_or("", FeeKind::code).to_owned(),
            description,
            amount_vnd: amount,
            per_unit,
            quantity_field,
            when_field: when.as_ref().map(|(f, _)| f.clone()),
            when_value: when.map(|(_, v)| v),
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
    match FEE_TIMINGS.iter().find(|(code, _)| *code == input.get("fee_timing").trim()) {
        Some((code, _)) => row.fee_timing = (*code).to_owned(),
        None => push(&mut errors, "fee_timing", "Vui lòng chọn thời điểm nộp phí, lệ phí."),
    }
    let keys = ["beneficiary_account", "beneficiary_bank", "beneficiary_name"];
    let account = fee_account(&mut errors, keys, keys.map(|k| input.get(k)));
    row.beneficiary_account = account.as_ref().map(|a| a.0.clone());
    row.beneficiary_bank = account.as_ref().map(|a| a.1.clone());
    row.beneficiary_name = account.map(|a| a.2);
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
    // Fee quantities and conditions name fields of the procedure's e-form, or of the generic
    // form when it has none (not checked while its own definition is refused).
    let form = match &eform {
        Some(json) => FormDefinition::parse_json(json).ok(),
        None if input.get("eform").trim().is_empty() => Some(FormDefinition::generic(&row.name)),
        None => None,
    };
    let (fees, papers, workflow, step_rows) = parse_rows(input, &row.id, form.as_ref(), &mut errors);
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
        if let Some(id) = &s.agency_id
            && Agency::find(conn, id)?.is_none()
        {
            push(errors, &format!("step-{index}-agency_id"), "Cơ quan của bước xử lý không tồn tại.");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_have_the_shape_field_equals_value() {
        let mut errors = Errors::new();
        assert_eq!(condition(&mut errors, "w", "", None), None);
        assert_eq!(
            condition(&mut errors, "w", " @kenh = truc-tuyen ", None),
            Some(("@kenh".into(), "truc-tuyen".into()))
        );
        assert_eq!(condition(&mut errors, "w", "@can-bo=co", None), Some(("@can-bo".into(), "co".into())));
        assert_eq!(condition(&mut errors, "w", "hinh_thuc=giay", None), Some(("hinh_thuc".into(), "giay".into())));
        assert!(errors.is_empty());
        for bad in ["hinh_thuc", "=giay", "hinh_thuc=", "Hình thức=giấy", "@kenh=qua-mang", "@can-bo=khong", "a=b=c"]
        {
            let mut errors = Errors::new();
            assert_eq!(condition(&mut errors, "w", bad, None), None, "{bad}");
            assert_eq!(errors.len(), 1, "{bad}");
        }
    }

    #[test]
    fn a_fee_account_is_all_three_fields_or_none() {
        let keys = ["a", "b", "n"];
        let mut errors = Errors::new();
        assert_eq!(fee_account(&mut errors, keys, ["", " ", ""]), None);
        assert_eq!(
            fee_account(&mut errors, keys, ["1140 0012 3456", "ctg", " UBND  xã "]),
            Some(("114000123456".into(), "CTG".into(), "UBND xã".into()))
        );
        assert!(errors.is_empty());
        assert_eq!(fee_account(&mut errors, keys, ["114000123456", "", ""]), None);
        assert_eq!(errors.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["b", "n"]);
        let mut errors = Errors::new();
        assert_eq!(fee_account(&mut errors, keys, ["12", "C T G", "X"]), None);
        assert_eq!(errors.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }
}

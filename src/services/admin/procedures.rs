//! The catalogue: the list of procedures, and creating or editing one with its time limit, fees,
//! papers, e-form definition and workflow steps (which agency and role act, in which order).

use super::audit::{self, Change};
use super::{Errors, Paged, Pairs, new_id, offset, optional, push, required, search_words};
use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::catalogue::{
    AgencyKind, Channel, FeeKind, Level, OnlineLevel, TimeLimit, TimeLimitUnit, is_procedure_code,
};
use crate::domain::fold::{clean, fold, lower};
use crate::domain::form::FormDefinition;
use crate::domain::money::Vnd;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::dossier::{eform_of, save_eform};
use crate::models::procedure::{Field, Procedure, ProcedureFee, ProcedurePaper};
use crate::models::staff::roles;
use crate::models::workflow::WorkflowStep;
use crate::services::catalogue::CatalogueCache;
use std::collections::{BTreeMap, HashMap};

/// Procedures per page.
pub const PER_PAGE: i64 = 30;
/// Most rows of each table (fees, papers, steps) a form may carry.
pub const MAX_ROWS: usize = 60;
/// The longest e-form definition accepted, in bytes.
pub const MAX_EFORM_BYTES: usize = 200_000;
/// The roles a workflow step may name.
pub const STEP_ROLES: [&str; 3] = [roles::ONE_STOP, roles::SPECIALIST, roles::LEADER];

/// The single-valued fields of the form.
pub const SCALARS: [&str; 16] = [
    "code",
    "name",
    "field_code",
    "level",
    "agency_id",
    "implementing_agency",
    "online_level",
    "time_limit_value",
    "time_limit_unit",
    "time_limit_note",
    "subjects",
    "steps",
    "requirements",
    "result",
    "legal_basis",
    "eform",
];

/// A fee row as typed (`fee-<index>-<field>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeeRow {
    /// Its index in the form.
    pub index: usize,
    /// `phi` or `le_phi`.
    pub kind: String,
    /// What it is for.
    pub description: String,
    /// Amount in VND as typed.
    pub amount: String,
    /// Per unit ("bản", "trang").
    pub per_unit: String,
}

/// A paper row as typed (`paper-<index>-<field>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaperRow {
    /// Its index in the form.
    pub index: usize,
    /// Name.
    pub name: String,
    /// Originals, as typed.
    pub originals: String,
    /// Copies, as typed.
    pub copies: String,
    /// Required.
    pub mandatory: bool,
    /// Remarks.
    pub note: String,
}

/// A workflow step row as typed (`step-<index>-<field>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepRow {
    /// Its index in the form.
    pub index: usize,
    /// Order, as typed.
    pub order: String,
    /// What is done.
    pub name: String,
    /// The role acting.
    pub role: String,
    /// The agency's id, or "" for the receiving agency.
    pub agency_id: String,
}

/// The procedure form as typed.
#[derive(Clone, Debug, Default)]
pub struct ProcedureInput {
    /// The single-valued fields ([`SCALARS`]).
    pub scalars: BTreeMap<String, String>,
    /// Channel codes ticked.
    pub channels: Vec<String>,
    /// Restart the full time limit after a supplement.
    pub restart_after_supplement: bool,
    /// Restart the full time limit after payment.
    pub restart_after_payment: bool,
    /// Fee rows.
    pub fees: Vec<FeeRow>,
    /// Paper rows.
    pub papers: Vec<PaperRow>,
    /// Workflow step rows.
    pub workflow: Vec<StepRow>,
}

fn row_key(name: &str) -> Option<(&str, usize, &str)> {
    let mut parts = name.splitn(3, '-');
    let (group, index, field) = (parts.next()?, parts.next()?, parts.next()?);
    let index: usize = index.parse().ok().filter(|i| *i < 1000)?;
    Some((group, index, field))
}

impl ProcedureInput {
    /// Reads the submitted form; rows ticked "remove" are dropped.
    pub fn from_pairs(p: &Pairs) -> Self {
        let mut input = ProcedureInput {
            scalars: SCALARS.iter().map(|k| ((*k).to_owned(), p.get(k).to_owned())).collect(),
            channels: p.all("channels").into_iter().map(str::to_owned).collect(),
            restart_after_supplement: p.get("restart_after_supplement") == "yes",
            restart_after_payment: p.get("restart_after_payment") == "yes",
            ..Default::default()
        };
        let mut fees: BTreeMap<usize, FeeRow> = BTreeMap::new();
        let mut papers: BTreeMap<usize, PaperRow> = BTreeMap::new();
        let mut steps: BTreeMap<usize, StepRow> = BTreeMap::new();
        let mut removed: Vec<(String, usize)> = Vec::new();
        for (name, value) in &p.0 {
            let Some((group, index, field)) = row_key(name) else { continue };
            if field == "remove" {
                removed.push((group.to_owned(), index));
                continue;
            }
            let v = value.clone();
            match group {
                "fee" => {
                    let r = fees.entry(index).or_insert_with(|| FeeRow { index, ..Default::default() });
                    match field {
                        "kind" => r.kind = v,
                        "description" => r.description = v,
                        "amount" => r.amount = v,
                        "per_unit" => r.per_unit = v,
                        _ => {}
                    }
                }
                "paper" => {
                    let r = papers.entry(index).or_insert_with(|| PaperRow { index, ..Default::default() });
                    match field {
                        "name" => r.name = v,
                        "originals" => r.originals = v,
                        "copies" => r.copies = v,
                        "mandatory" => r.mandatory = v == "yes",
                        "note" => r.note = v,
                        _ => {}
                    }
                }
                "step" => {
                    let r = steps.entry(index).or_insert_with(|| StepRow { index, ..Default::default() });
                    match field {
                        "order" => r.order = v,
                        "name" => r.name = v,
                        "role" => r.role = v,
                        "agency_id" => r.agency_id = v,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let kept = |g: &str, i: &usize| !removed.iter().any(|(rg, ri)| rg == g && ri == i);
        input.fees = fees.into_iter().filter(|(i, _)| kept("fee", i)).map(|(_, r)| r).take(MAX_ROWS).collect();
        input.papers = papers.into_iter().filter(|(i, _)| kept("paper", i)).map(|(_, r)| r).take(MAX_ROWS).collect();
        input.workflow = steps.into_iter().filter(|(i, _)| kept("step", i)).map(|(_, r)| r).take(MAX_ROWS).collect();
        input
    }

    /// A scalar field's value.
    pub fn get(&self, name: &str) -> &str {
        self.scalars.get(name).map_or("", String::as_str)
    }

    /// Drops blank rows and adds `n` blank rows to each table (forms without JavaScript add rows
    /// this way).
    pub fn with_blank_rows(mut self, n: usize) -> Self {
        self.fees.retain(|r| *r != FeeRow { index: r.index, ..Default::default() });
        self.papers.retain(|r| *r != PaperRow { index: r.index, ..Default::default() });
        self.workflow.retain(|r| *r != StepRow { index: r.index, order: r.order.clone(), ..Default::default() });
        let next = |used: &mut usize| {
            *used += 1;
            *used
        };
        let mut i = self.fees.iter().map(|r| r.index).max().unwrap_or(0);
        for _ in 0..n.min(MAX_ROWS.saturating_sub(self.fees.len())) {
            self.fees.push(FeeRow { index: next(&mut i), ..Default::default() });
        }
        let mut i = self.papers.iter().map(|r| r.index).max().unwrap_or(0);
        for _ in 0..n.min(MAX_ROWS.saturating_sub(self.papers.len())) {
            self.papers.push(PaperRow { index: next(&mut i), ..Default::default() });
        }
        let mut i = self.workflow.iter().map(|r| r.index).max().unwrap_or(0);
        for _ in 0..n.min(MAX_ROWS.saturating_sub(self.workflow.len())) {
            let index = next(&mut i);
            self.workflow.push(StepRow { index, ..Default::default() });
        }
        self
    }

    /// A new procedure's form: online level 3, working days, both channels, the full time
    /// limit again after a supplement.
    pub fn blank() -> Self {
        let mut input = ProcedureInput { restart_after_supplement: true, ..Default::default() };
        input.scalars.insert("online_level".into(), "3".into());
        input.scalars.insert("time_limit_unit".into(), TimeLimitUnit::WorkingDays.code().into());
        input.channels = vec![Channel::Counter.code().into(), Channel::Online.code().into()];
        input
    }
}

/// A line of the list.
#[derive(Clone, Debug)]
pub struct ProcedureLine {
    /// National code.
    pub code: String,
    /// Name.
    pub name: String,
    /// "Cấp tỉnh" or "Cấp xã".
    pub level: &'static str,
    /// Who implements it.
    pub agency: String,
    /// Online level 1–4.
    pub online_level: i32,
    /// "5 ngày làm việc".
    pub time_limit: String,
}

fn time_limit_text(p: &Procedure) -> String {
    TimeLimitUnit::parse(&p.time_limit_unit)
        .map(|unit| TimeLimit { value: u32::try_from(p.time_limit_value).unwrap_or(0), unit }.to_string())
        .unwrap_or_default()
}

/// A page of procedures matching a search (accent-free name, code, field or agency).
pub fn list(conn: &mut DbConn, q: &str, page: i64) -> Result<Paged<ProcedureLine>, AppError> {
    let (rows, total) = Procedure::search_words(conn, &search_words(q), PER_PAGE, offset(page, PER_PAGE))?;
    let agencies: HashMap<String, String> = Agency::all(conn)?.into_iter().map(|a| (a.id, a.short_name)).collect();
    let items = rows
        .into_iter()
        .map(|p| ProcedureLine {
            level: Level::parse(&p.level).map_or("", Level::label),
            agency: p.agency_id.as_ref().and_then(|id| agencies.get(id).cloned()).unwrap_or(p.implementing_agency.clone()),
            online_level: p.online_level,
            time_limit: time_limit_text(&p),
            code: p.code,
            name: p.name,
        })
        .collect();
    Ok(Paged { items, total, page: page.max(1), per_page: PER_PAGE })
}

/// What the form offers to choose from.
#[derive(Clone, Debug)]
pub struct Choices {
    /// Fields of the catalogue.
    pub fields: Vec<Field>,
    /// The province and its departments (a provincial procedure's agency, a step's agency).
    pub agencies: Vec<Agency>,
}

/// Loads the choices.
pub fn choices(conn: &mut DbConn) -> Result<Choices, AppError> {
    let agencies = Agency::all(conn)?.into_iter().filter(|a| a.kind != AgencyKind::Commune.code()).collect();
    Ok(Choices { fields: Field::all(conn)?, agencies })
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(clean).filter(|l| !l.is_empty()).collect()
}

/// One procedure by code, and its form filled with what is stored.
pub fn load(conn: &mut DbConn, code: &str) -> Result<(Procedure, ProcedureInput), AppError> {
    let p = Procedure::find_by_code(conn, code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let json_lines = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default().join("\n");
    let mut input = ProcedureInput {
        channels: p.channels.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        restart_after_supplement: p.restart_after_supplement,
        restart_after_payment: p.restart_after_payment,
        ..Default::default()
    };
    let s = &mut input.scalars;
    s.insert("code".into(), p.code.clone());
    s.insert("name".into(), p.name.clone());
    s.insert("field_code".into(), p.field_code.clone());
    s.insert("level".into(), p.level.clone());
    s.insert("agency_id".into(), p.agency_id.clone().unwrap_or_default());
    s.insert("implementing_agency".into(), p.implementing_agency.clone());
    s.insert("online_level".into(), p.online_level.to_string());
    s.insert("time_limit_value".into(), p.time_limit_value.to_string());
    s.insert("time_limit_unit".into(), p.time_limit_unit.clone());
    s.insert("time_limit_note".into(), p.time_limit_note.clone().unwrap_or_default());
    s.insert("subjects".into(), p.subjects.clone());
    s.insert("steps".into(), json_lines(&p.steps));
    s.insert("requirements".into(), p.requirements.clone().unwrap_or_default());
    s.insert("result".into(), p.result.clone());
    s.insert("legal_basis".into(), json_lines(&p.legal_basis));
    s.insert("eform".into(), eform_of(conn, &p.id)?.unwrap_or_default());
    input.fees = Procedure::fees(conn, &p.id)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| FeeRow {
            index: i + 1,
            kind: f.kind,
            description: f.description,
            amount: f.amount_vnd.to_string(),
            per_unit: f.per_unit.unwrap_or_default(),
        })
        .collect();
    input.papers = Procedure::papers(conn, &p.id)?
        .into_iter()
        .enumerate()
        .map(|(i, x)| PaperRow {
            index: i + 1,
            name: x.name,
            originals: x.originals.to_string(),
            copies: x.copies.to_string(),
            mandatory: x.mandatory,
            note: x.note.unwrap_or_default(),
        })
        .collect();
    input.workflow = WorkflowStep::of_procedure(conn, &p.id)?
        .into_iter()
        .enumerate()
        .map(|(i, st)| StepRow {
            index: i + 1,
            order: st.position.to_string(),
            name: st.name,
            role: st.role,
            agency_id: st.agency_id.unwrap_or_default(),
        })
        .collect();
    Ok((p, input))
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
struct Parsed {
    row: Procedure,
    fees: Vec<ProcedureFee>,
    papers: Vec<ProcedurePaper>,
    eform: Option<String>,
    workflow: Vec<WorkflowStep>,
}

fn parse_rows(input: &ProcedureInput, id: &str, errors: &mut Errors) -> (Vec<ProcedureFee>, Vec<ProcedurePaper>, Vec<WorkflowStep>) {
    let mut fees = Vec::new();
    for r in input.fees.iter().filter(|r| **r != FeeRow { index: r.index, ..Default::default() }) {
        let key = |f: &str| format!("fee-{}-{f}", r.index);
        let kind = FeeKind::parse(r.kind.trim());
        if kind.is_none() {
            push(errors, &key("kind"), "Vui lòng chọn loại: phí hoặc lệ phí.");
        }
        let description = required(errors, &key("description"), &r.description, 300, "Vui lòng nhập nội dung khoản thu.");
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
        push(errors, "paper-1-name", "Thủ tục cần ít nhất một giấy tờ trong thành phần hồ sơ.");
    }
    let mut steps: Vec<(i64, usize, WorkflowStep)> = Vec::new();
    for r in input.workflow.iter().filter(|r| !(r.name.trim().is_empty() && r.role.is_empty() && r.agency_id.is_empty())) {
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
    let workflow = steps
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, s))| WorkflowStep { position: i32::try_from(i + 1).unwrap_or(i32::MAX), ..s })
        .collect();
    (fees, papers, workflow)
}

/// Checks the form's shape; `row` brings the id, code (when editing), popularity and times.
fn parse(input: &ProcedureInput, mut row: Procedure, creating: bool) -> (Parsed, Errors) {
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
        (Some(Level::Province), None) => push(&mut errors, "agency_id", "Thủ tục cấp tỉnh cần chọn sở, ngành thực hiện."),
        (Some(Level::Commune), Some(_)) => push(
            &mut errors,
            "agency_id",
            "Thủ tục cấp xã do Ủy ban nhân dân cấp xã thực hiện: không chọn sở, ngành.",
        ),
        _ => {}
    }
    row.implementing_agency =
        required(&mut errors, "implementing_agency", input.get("implementing_agency"), 300, "Vui lòng nhập cơ quan thực hiện.");
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
    let channels: Vec<Channel> = Channel::ALL.iter().copied().filter(|c| input.channels.iter().any(|x| x == c.code())).collect();
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
    let (fees, papers, workflow) = parse_rows(input, &row.id, &mut errors);
    (Parsed { row, fees, papers, eform, workflow }, errors)
}

/// The checks that need the database; fills the name forms and search text as the demo seed does.
fn check(conn: &mut DbConn, p: &mut Parsed, creating: bool, errors: &mut Errors) -> Result<(), AppError> {
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
    for (i, s) in p.workflow.iter().enumerate() {
        if let Some(id) = &s.agency_id {
            if Agency::find(conn, id)?.is_none() {
                let index = p.workflow.get(i).map_or(0, |_| i + 1);
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

fn audit_json(conn: &mut DbConn, p: &Procedure) -> Result<serde_json::Value, AppError> {
    let agency_code = |conn: &mut DbConn, id: &Option<String>| -> Result<String, AppError> {
        Ok(match id {
            Some(id) => Agency::find(conn, id)?.map_or_else(|| id.clone(), |a| a.code),
            None => "cơ quan tiếp nhận".to_owned(),
        })
    };
    let fees: Vec<String> = Procedure::fees(conn, &p.id)?
        .iter()
        .map(|f| {
            let unit = f.per_unit.as_ref().map(|u| format!("/{u}")).unwrap_or_default();
            format!("{}: {}: {}{unit}", FeeKind::parse(&f.kind).map_or("", FeeKind::label), f.description, Vnd(f.amount_vnd))
        })
        .collect();
    let papers: Vec<String> = Procedure::papers(conn, &p.id)?
        .iter()
        .map(|x| {
            let need = if x.mandatory { "bắt buộc" } else { "nếu có" };
            format!("{} (chính {}, sao {}, {need})", x.name, x.originals, x.copies)
        })
        .collect();
    let mut workflow = Vec::new();
    for s in WorkflowStep::of_procedure(conn, &p.id)? {
        workflow.push(format!("{}. {} — {} — {}", s.position, s.name, roles::label(&s.role), agency_code(conn, &s.agency_id)?));
    }
    let eform = eform_of(conn, &p.id)?.and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok());
    let json_list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
    Ok(serde_json::json!({
        "code": p.code, "name": p.name, "field_code": p.field_code, "level": p.level,
        "agency_id": agency_code(conn, &p.agency_id)?, "implementing_agency": p.implementing_agency,
        "online_level": p.online_level, "time_limit_value": p.time_limit_value,
        "time_limit_unit": p.time_limit_unit, "time_limit_note": p.time_limit_note,
        "restart_after_supplement": p.restart_after_supplement, "restart_after_payment": p.restart_after_payment,
        "subjects": p.subjects, "channels": p.channels, "steps": json_list(&p.steps),
        "requirements": p.requirements, "result": p.result, "legal_basis": json_list(&p.legal_basis),
        "fees": fees, "papers": papers, "eform": eform, "workflow": workflow,
    }))
}

/// Writes the procedure and its rows (keeping its downloadable forms).
fn save(conn: &mut DbConn, p: &Parsed, creating: bool, clock: &Clock) -> Result<(), AppError> {
    if creating {
        Procedure::insert(conn, &p.row)?;
    } else {
        Procedure::update(conn, &p.row)?;
    }
    let forms = Procedure::forms(conn, &p.row.id)?;
    Procedure::replace_children(conn, &p.row.id, &p.fees, &p.papers, &forms)?;
    match &p.eform {
        Some(json) => save_eform(conn, &p.row.id, json, clock.now_naive())?,
        None => {
            Procedure::delete_eform(conn, &p.row.id)?;
        }
    }
    WorkflowStep::replace(conn, &p.row.id, &p.workflow)?;
    Ok(())
}

/// Creates a procedure.
pub async fn create(
    db: &Db,
    clock: &Clock,
    cache: &CatalogueCache,
    by: &str,
    input: ProcedureInput,
) -> Result<Procedure, AppError> {
    let now = clock.now_naive();
    let blank = Procedure {
        id: new_id(),
        code: String::new(),
        name: String::new(),
        name_lc: String::new(),
        field_code: String::new(),
        level: String::new(),
        agency_id: None,
        implementing_agency: String::new(),
        online_level: 1,
        time_limit_value: 1,
        time_limit_unit: String::new(),
        time_limit_note: None,
        subjects: String::new(),
        channels: String::new(),
        steps: String::new(),
        requirements: None,
        result: String::new(),
        legal_basis: String::new(),
        popularity: 0,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        restart_after_supplement: true,
        restart_after_payment: false,
    };
    let (mut parsed, mut errors) = parse(&input, blank, true);
    let (clock, by) = (clock.clone(), by.to_owned());
    let row = db
        .write(move |conn| {
            check(conn, &mut parsed, true, &mut errors)?;
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            save(conn, &parsed, true, &clock)?;
            let after = audit_json(conn, &parsed.row)?;
            let change = Change {
                by: Some(&by),
                action: "create",
                entity: "procedure",
                entity_id: &parsed.row.id,
                before: None,
                after: Some(after),
            };
            audit::record(conn, &clock, change)?;
            Ok(parsed.row)
        })
        .await?;
    cache.invalidate();
    Ok(row)
}

/// Edits the procedure `code` (the code itself stays).
pub async fn update(
    db: &Db,
    clock: &Clock,
    cache: &CatalogueCache,
    by: &str,
    code: &str,
    input: ProcedureInput,
) -> Result<Procedure, AppError> {
    let (clock, by, code) = (clock.clone(), by.to_owned(), code.to_owned());
    let row = db
        .write(move |conn| {
            let existing = Procedure::find_by_code(conn, &code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
            let before = audit_json(conn, &existing)?;
            let (mut parsed, mut errors) = parse(&input, existing.clone(), false);
            check(conn, &mut parsed, false, &mut errors)?;
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            parsed.row.updated_at = clock.now_naive();
            save(conn, &parsed, false, &clock)?;
            let after = audit_json(conn, &parsed.row)?;
            if after != before {
                let change = Change {
                    by: Some(&by),
                    action: "update",
                    entity: "procedure",
                    entity_id: &parsed.row.id,
                    before: Some(before),
                    after: Some(after),
                };
                audit::record(conn, &clock, change)?;
            }
            Ok(parsed.row)
        })
        .await?;
    cache.invalidate();
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_vnd() {
        assert_eq!(parse_amount("50000"), Ok(50_000));
        assert_eq!(parse_amount("1.250.000 đ"), Ok(1_250_000));
        assert_eq!(parse_amount("0"), Ok(0));
        assert!(parse_amount("").is_err());
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("12,5k").is_err());
    }

    #[test]
    fn rows_are_read_by_index_and_removed_rows_dropped() {
        let pairs = Pairs(
            [
                ("name", "Thủ tục"),
                ("channels", "truc-tiep"),
                ("channels", "truc-tuyen"),
                ("fee-2-kind", "le_phi"),
                ("fee-2-amount", "8000"),
                ("fee-1-kind", "phi"),
                ("fee-1-remove", "yes"),
                ("step-1-name", "Tiếp nhận"),
                ("step-1-role", "mot_cua"),
                ("bad-x-y", "z"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        );
        let input = ProcedureInput::from_pairs(&pairs);
        assert_eq!(input.get("name"), "Thủ tục");
        assert_eq!(input.channels, vec!["truc-tiep", "truc-tuyen"]);
        assert_eq!(input.fees.len(), 1);
        assert_eq!(input.fees[0].index, 2);
        assert_eq!(input.fees[0].amount, "8000");
        assert_eq!(input.workflow[0].role, "mot_cua");
        let more = input.with_blank_rows(2);
        assert_eq!(more.fees.iter().map(|r| r.index).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(more.papers.iter().map(|r| r.index).collect::<Vec<_>>(), vec![1, 2]);
    }
}

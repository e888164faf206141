//! The procedure form as typed: single fields, ticked channels and the rows of its tables
//! (fees, papers, workflow steps) named `<table>-<index>-<field>`.

use crate::domain::catalogue::{Channel, TimeLimitUnit};
use crate::services::admin::Pairs;
use std::collections::BTreeMap;

/// Most rows of each table (fees, papers, steps) a form may carry.
pub const MAX_ROWS: usize = 60;

/// The single-valued fields of the form.
pub const SCALARS: [&str; 20] = [
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
    "fee_timing",
    "beneficiary_account",
    "beneficiary_bank",
    "beneficiary_name",
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
    /// The e-form field holding the number of units ("" for one unit).
    pub quantity_field: String,
    /// The condition `field=value` under which the fee applies ("" for always).
    pub when: String,
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

impl FeeRow {
    /// The form name of one of its fields.
    pub fn key(&self, field: &str) -> String {
        format!("fee-{}-{field}", self.index)
    }
}

impl PaperRow {
    /// The form name of one of its fields.
    pub fn key(&self, field: &str) -> String {
        format!("paper-{}-{field}", self.index)
    }
}

impl StepRow {
    /// The form name of one of its fields.
    pub fn key(&self, field: &str) -> String {
        format!("step-{}-{field}", self.index)
    }
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
                        "quantity_field" => r.quantity_field = v,
                        "when" => r.when = v,
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
    /// limit again after a supplement, fees paid when the agency asks.
    pub fn blank() -> Self {
        let mut input = ProcedureInput { restart_after_supplement: true, ..Default::default() };
        input.scalars.insert("online_level".into(), "3".into());
        input.scalars.insert("fee_timing".into(), "request".into());
        input.scalars.insert("time_limit_unit".into(), TimeLimitUnit::WorkingDays.code().into());
        input.channels = vec![Channel::Counter.code().into(), Channel::Online.code().into()];
        input
    }
}

//! The reconciliation report (đối soát): one day's payment attempts as recorded here, side by
//! side with the gateway's statement of that day, grouped by beneficiary account, each
//! mismatch named in words; and the day's alerts. A provincial finance officer sees every
//! agency; any other only the attempts of their agency's dossiers.

use crate::db::DbConn;
use crate::db::schema::dossiers;
use crate::domain::money::Vnd;
use crate::domain::payment::TxStatus;
use crate::integrations::paygov::wire::{self, StatementEntry};
use crate::models::dossier::Dossier;
use crate::models::payment::{PaymentMessage, PaymentTransaction};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The most alerts listed for a day.
const MAX_ALERTS: i64 = 200;

/// Whose payments a finance officer reconciles.
#[derive(Clone, Debug)]
pub enum Scope {
    /// Every agency (the provincial agency's finance officers).
    Province,
    /// One agency's dossiers.
    Agency {
        /// The agency.
        id: String,
        /// Its fee account: the gateway's entries unknown here are shown when paid into it.
        fee_account: Option<String>,
    },
}

impl Scope {
    /// Whether the attempts of `d` are in scope.
    pub fn covers(&self, d: &Dossier) -> bool {
        match self {
            Scope::Province => true,
            Scope::Agency { id, .. } => &d.agency_id == id,
        }
    }

    /// Whether a gateway entry unknown here, paid into `account`, is in scope.
    fn covers_unknown(&self, account: &str) -> bool {
        match self {
            Scope::Province => true,
            Scope::Agency { fee_account, .. } => fee_account.as_deref().is_some_and(|a| !a.is_empty() && a == account),
        }
    }
}

/// An attempt as recorded here, with its dossier.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The attempt.
    pub t: PaymentTransaction,
    /// Its dossier.
    pub dossier: Dossier,
}

/// Attaches their dossiers to attempts (an attempt whose dossier is gone is left out).
fn with_dossiers(conn: &mut DbConn, attempts: Vec<PaymentTransaction>) -> QueryResult<Vec<Attempt>> {
    let ids: Vec<String> = attempts.iter().map(|t| t.dossier_id.clone()).collect();
    let mut by_id: HashMap<String, Dossier> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Dossier> =
            dossiers::table.filter(dossiers::id.eq_any(chunk)).select(Dossier::as_select()).load(conn)?;
        by_id.extend(rows.into_iter().map(|d| (d.id.clone(), d)));
    }
    Ok(attempts
        .into_iter()
        .filter_map(|t| by_id.get(&t.dossier_id).cloned().map(|dossier| Attempt { t, dossier }))
        .collect())
}

/// One attempt by its reference, with its dossier.
pub fn attempt(conn: &mut DbConn, reference: &str) -> QueryResult<Option<Attempt>> {
    let Some(t) = PaymentTransaction::find_by_reference(conn, reference)? else { return Ok(None) };
    Ok(with_dossiers(conn, vec![t])?.into_iter().next())
}

/// What the portal recorded of an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ours {
    /// `SoTien`.
    pub amount: i64,
    /// The state here.
    pub status: TxStatus,
    /// `MaGiaoDich` as recorded here.
    pub gateway_id: Option<String>,
    /// The beneficiary account.
    pub account: String,
}

/// What the gateway's statement says of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theirs {
    /// `SoTien`.
    pub amount: i64,
    /// `TrangThaiGD`.
    pub state: String,
    /// `MaGiaoDich` (empty while pending).
    pub gateway_id: String,
    /// `TKThuHuong`.
    pub account: String,
}

impl Theirs {
    fn of(e: &StatementEntry) -> Theirs {
        Theirs {
            amount: e.so_tien,
            state: e.trang_thai_gd.clone(),
            gateway_id: e.ma_giao_dich.clone(),
            account: e.tk_thu_huong.clone(),
        }
    }

    /// The state in words.
    pub fn state_label(&self) -> String {
        gateway_state_label(&self.state)
    }

    /// Whether the gateway says it was paid.
    pub fn paid(&self) -> bool {
        self.state == wire::STATE_PAID
    }
}

/// `TrangThaiGD` in words.
pub fn gateway_state_label(state: &str) -> String {
    match state {
        wire::STATE_PAID => "Thành công".to_owned(),
        wire::STATE_PENDING => "Chưa có kết quả".to_owned(),
        wire::STATE_FAILED => "Không thành công".to_owned(),
        other => format!("Không rõ (mã {other})"),
    }
}

/// Whether our state and the gateway's agree: a paid attempt is paid on both sides; one
/// pending here is pending there; one failed here failed there; one expired here was not paid
/// there (pending or failed).
fn states_agree(ours: TxStatus, theirs: &str) -> bool {
    match ours {
        TxStatus::Paid => theirs == wire::STATE_PAID,
        TxStatus::Pending => theirs == wire::STATE_PENDING,
        TxStatus::Failed => theirs == wire::STATE_FAILED,
        TxStatus::Expired => theirs == wire::STATE_PENDING || theirs == wire::STATE_FAILED,
    }
}

/// The differences between the two records of one transaction, in words (empty: they agree).
/// An attempt failed or expired here that the gateway never heard of agrees (no money moved).
pub fn compare(ours: Option<&Ours>, theirs: Option<&Theirs>) -> Vec<String> {
    match (ours, theirs) {
        (None, None) => Vec::new(),
        (Some(o), None) => match o.status {
            TxStatus::Paid | TxStatus::Pending => vec!["không có trên cổng thanh toán".to_owned()],
            TxStatus::Failed | TxStatus::Expired => Vec::new(),
        },
        (None, Some(_)) => vec!["không có trên Cổng Dịch vụ công".to_owned()],
        (Some(o), Some(t)) => {
            let mut out = Vec::new();
            if !states_agree(o.status, &t.state) {
                out.push(format!(
                    "trạng thái khác nhau (Cổng Dịch vụ công: {}; cổng thanh toán: {})",
                    o.status.label(),
                    t.state_label()
                ));
            }
            if o.amount != t.amount {
                out.push(format!("số tiền khác nhau ({} so với {})", Vnd(o.amount), Vnd(t.amount)));
            }
            let ours_id = o.gateway_id.as_deref().unwrap_or_default();
            if !ours_id.is_empty() && !t.gateway_id.is_empty() && ours_id != t.gateway_id {
                out.push("mã giao dịch khác nhau".to_owned());
            }
            if !t.account.is_empty() && o.account != t.account {
                out.push("tài khoản thụ hưởng khác nhau".to_owned());
            }
            out
        }
    }
}

/// One line of the report: a transaction on either side or both.
#[derive(Clone, Debug)]
pub struct Row {
    /// `MaThamChieu`.
    pub reference: String,
    /// The dossier, when the attempt is known here.
    pub dossier: Option<Dossier>,
    /// When INIT was sent (UTC), when known here.
    pub initiated_at: Option<NaiveDateTime>,
    /// The portal's record.
    pub ours: Option<Ours>,
    /// The gateway's record (`None` also when the gateway could not be asked).
    pub theirs: Option<Theirs>,
    /// The differences, in words (only when the gateway was asked).
    pub mismatches: Vec<String>,
}

impl Row {
    /// Whether a finance officer may ask the gateway again: pending here, or differing.
    pub fn recheckable(&self) -> bool {
        self.ours.as_ref().is_some_and(|o| o.status == TxStatus::Pending || !self.mismatches.is_empty())
    }
}

/// Paid transactions: how many and how much.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// How many.
    pub count: usize,
    /// Their sum.
    pub amount: i64,
}

impl Tally {
    fn add(&mut self, amount: i64) {
        self.count += 1;
        self.amount = self.amount.saturating_add(amount);
    }
}

/// The transactions paid into one account.
#[derive(Clone, Debug)]
pub struct AccountGroup {
    /// The beneficiary account.
    pub account: String,
    /// Its transactions, in order of initiation.
    pub rows: Vec<Row>,
    /// Paid, as recorded here.
    pub ours_paid: Tally,
    /// Paid, says the gateway.
    pub theirs_paid: Tally,
    /// Lines with a difference.
    pub mismatched: usize,
}

/// A day's report.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Per account, in account order (only the account asked for, if any).
    pub groups: Vec<AccountGroup>,
    /// Every account of the day in scope (for the filter).
    pub accounts: Vec<String>,
    /// Whether the gateway's statement was compared.
    pub compared: bool,
}

/// Builds the report of the attempts initiated in `[from, to)` visible in `scope`, against the
/// gateway's `statement` of that day if it could be had, for one `account` or all.
pub fn report(
    conn: &mut DbConn,
    scope: &Scope,
    from: NaiveDateTime,
    to: NaiveDateTime,
    statement: Option<&[StatementEntry]>,
    account: Option<&str>,
) -> QueryResult<Report> {
    let attempts = PaymentTransaction::initiated_between(conn, from, to)?;
    let of_day: HashSet<String> = attempts.iter().map(|t| t.reference.clone()).collect();
    let day = with_dossiers(conn, attempts)?;
    let mut ours: Vec<Attempt> = day.into_iter().filter(|a| scope.covers(&a.dossier)).collect();
    let mut rows = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut theirs: HashMap<String, &StatementEntry> = HashMap::new();
    if let Some(entries) = statement {
        theirs = entries.iter().map(|e| (e.ma_tham_chieu.clone(), e)).collect();
        // The gateway's entries of attempts recorded here on another day (clock skew) join them.
        for e in entries {
            if of_day.contains(&e.ma_tham_chieu) {
                continue;
            }
            match attempt(conn, &e.ma_tham_chieu)? {
                Some(a) if scope.covers(&a.dossier) => ours.push(a),
                Some(_) => {}
                None if scope.covers_unknown(&e.tk_thu_huong) => rows.push(Row {
                    reference: e.ma_tham_chieu.clone(),
                    dossier: None,
                    initiated_at: None,
                    ours: None,
                    theirs: Some(Theirs::of(e)),
                    mismatches: compare(None, Some(&Theirs::of(e))),
                }),
                None => {}
            }
        }
    }
    for a in ours {
        if !seen.insert(a.t.reference.clone()) {
            continue;
        }
        let o = Ours {
            amount: a.t.amount_vnd,
            status: a.t.state(),
            gateway_id: a.t.gateway_txn_id.clone(),
            account: a.t.beneficiary_account.clone(),
        };
        let t = theirs.get(&a.t.reference).map(|e| Theirs::of(e));
        let mismatches = if statement.is_some() { compare(Some(&o), t.as_ref()) } else { Vec::new() };
        rows.push(Row {
            reference: a.t.reference.clone(),
            initiated_at: Some(a.t.initiated_at),
            dossier: Some(a.dossier),
            ours: Some(o),
            theirs: t,
            mismatches,
        });
    }
    Ok(group(rows, statement.is_some(), account))
}

fn group(rows: Vec<Row>, compared: bool, account: Option<&str>) -> Report {
    let mut groups: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in rows {
        let key =
            row.ours.as_ref().map(|o| o.account.clone()).or_else(|| row.theirs.as_ref().map(|t| t.account.clone()));
        groups.entry(key.unwrap_or_default()).or_default().push(row);
    }
    let accounts: Vec<String> = groups.keys().cloned().collect();
    let groups = groups
        .into_iter()
        .filter(|(a, _)| account.is_none_or(|wanted| wanted == a))
        .map(|(account, mut rows)| {
            rows.sort_by(|a, b| {
                (a.initiated_at.is_none(), a.initiated_at, &a.reference).cmp(&(
                    b.initiated_at.is_none(),
                    b.initiated_at,
                    &b.reference,
                ))
            });
            let mut g = AccountGroup {
                account,
                rows: Vec::new(),
                ours_paid: Tally::default(),
                theirs_paid: Tally::default(),
                mismatched: 0,
            };
            for r in &rows {
                if let Some(o) = r.ours.as_ref().filter(|o| o.status == TxStatus::Paid) {
                    g.ours_paid.add(o.amount);
                }
                if let Some(t) = r.theirs.as_ref().filter(|t| t.paid()) {
                    g.theirs_paid.add(t.amount);
                }
                if !r.mismatches.is_empty() {
                    g.mismatched += 1;
                }
            }
            g.rows = rows;
            g
        })
        .collect();
    Report { groups, accounts, compared }
}

/// The alerts received in `[from, to)` about transactions in scope, newest first (those naming
/// no known transaction only to the provincial scope).
pub fn alerts(
    conn: &mut DbConn,
    scope: &Scope,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<PaymentMessage>> {
    let all = PaymentMessage::between(conn, from, to, true, MAX_ALERTS)?;
    if matches!(scope, Scope::Province) {
        return Ok(all);
    }
    let mut out = Vec::new();
    let mut known: HashMap<String, bool> = HashMap::new();
    for m in all {
        let Some(reference) = m.reference.clone() else { continue };
        let visible = match known.get(&reference) {
            Some(v) => *v,
            None => {
                let v = attempt(conn, &reference)?.is_some_and(|a| scope.covers(&a.dossier));
                known.insert(reference, v);
                v
            }
        };
        if visible {
            out.push(m);
        }
    }
    Ok(out)
}

/// What an alert's outcome means, in words.
pub fn outcome_label(outcome: &str) -> &'static str {
    match outcome {
        "bad_signature" => "Sai chữ ký",
        "unknown" => "Không rõ giao dịch",
        "wrong_partner" => "Sai mã đối tác",
        "wrong_amount" => "Sai số tiền hoặc loại tiền",
        "conflict" => "Mâu thuẫn trạng thái",
        "bad_time" => "Thời gian không hợp lệ",
        "malformed" => "Bản tin sai định dạng",
        "double_payment" => "Nộp trùng",
        "late_payment" => "Xác nhận muộn",
        "bad_answer" => "Trả lời không hợp lệ",
        "paid" => "Đã thanh toán",
        "failed" => "Không thành công",
        _ => "Khác",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(status: TxStatus, amount: i64, id: Option<&str>) -> Ours {
        Ours { amount, status, gateway_id: id.map(str::to_owned), account: "3511.A".into() }
    }

    fn theirs(state: &str, amount: i64, id: &str) -> Theirs {
        Theirs { amount, state: state.into(), gateway_id: id.into(), account: "3511.A".into() }
    }

    #[test]
    fn agreeing_records_have_no_difference() {
        assert!(
            compare(Some(&ours(TxStatus::Paid, 23_000, Some("PG1"))), Some(&theirs("1", 23_000, "PG1"))).is_empty()
        );
        assert!(compare(Some(&ours(TxStatus::Pending, 23_000, None)), Some(&theirs("3", 23_000, ""))).is_empty());
        assert!(
            compare(Some(&ours(TxStatus::Failed, 23_000, Some("PG2"))), Some(&theirs("4", 23_000, "PG2"))).is_empty()
        );
        assert!(compare(Some(&ours(TxStatus::Expired, 23_000, None)), Some(&theirs("3", 23_000, ""))).is_empty());
        assert!(compare(Some(&ours(TxStatus::Expired, 23_000, None)), Some(&theirs("4", 23_000, "PG3"))).is_empty());
        // Never reached the gateway and no money moved.
        assert!(compare(Some(&ours(TxStatus::Failed, 23_000, None)), None).is_empty());
        assert!(compare(Some(&ours(TxStatus::Expired, 23_000, None)), None).is_empty());
    }

    #[test]
    fn each_difference_is_named() {
        let d = compare(Some(&ours(TxStatus::Pending, 23_000, None)), Some(&theirs("1", 23_000, "PG1")));
        assert_eq!(d, vec!["trạng thái khác nhau (Cổng Dịch vụ công: Đang xác nhận; cổng thanh toán: Thành công)"]);
        let d = compare(Some(&ours(TxStatus::Paid, 23_000, Some("PG1"))), Some(&theirs("1", 24_000, "PG9")));
        assert_eq!(d, vec!["số tiền khác nhau (23.000 đ so với 24.000 đ)", "mã giao dịch khác nhau"]);
        assert_eq!(compare(Some(&ours(TxStatus::Paid, 1, Some("PG1"))), None), vec!["không có trên cổng thanh toán"]);
        assert_eq!(compare(Some(&ours(TxStatus::Pending, 1, None)), None), vec!["không có trên cổng thanh toán"]);
        assert_eq!(compare(None, Some(&theirs("1", 1, "PG1"))), vec!["không có trên Cổng Dịch vụ công"]);
        assert_eq!(compare(Some(&ours(TxStatus::Expired, 1, None)), Some(&theirs("1", 1, "PG1"))).len(), 1);
        let mut other = theirs("1", 1, "PG1");
        other.account = "3511.B".into();
        assert_eq!(
            compare(Some(&ours(TxStatus::Paid, 1, Some("PG1"))), Some(&other)),
            vec!["tài khoản thụ hưởng khác nhau"]
        );
    }

    #[test]
    fn gateway_states_in_words() {
        assert_eq!(gateway_state_label("1"), "Thành công");
        assert_eq!(gateway_state_label("3"), "Chưa có kết quả");
        assert_eq!(gateway_state_label("4"), "Không thành công");
        assert_eq!(gateway_state_label("7"), "Không rõ (mã 7)");
    }

    fn row(account: &str, status: Option<TxStatus>, gw: Option<&str>, amount: i64) -> Row {
        let o = status.map(|s| Ours { amount, status: s, gateway_id: None, account: account.into() });
        let t = gw.map(|s| Theirs { amount, state: s.into(), gateway_id: String::new(), account: account.into() });
        Row {
            reference: format!("R{amount}"),
            dossier: None,
            initiated_at: None,
            mismatches: compare(o.as_ref(), t.as_ref()),
            ours: o,
            theirs: t,
        }
    }

    #[test]
    fn groups_total_per_account_and_filter() {
        let rows = vec![
            row("B", Some(TxStatus::Paid), Some("1"), 10),
            row("A", Some(TxStatus::Paid), Some("1"), 20),
            row("A", Some(TxStatus::Pending), Some("1"), 30),
            row("A", None, Some("1"), 40),
        ];
        let r = group(rows.clone(), true, None);
        assert_eq!(r.accounts, vec!["A", "B"]);
        let a = &r.groups[0];
        assert_eq!(
            (a.ours_paid, a.theirs_paid, a.mismatched),
            (Tally { count: 1, amount: 20 }, Tally { count: 3, amount: 90 }, 2)
        );
        let only_b = group(rows, true, Some("B"));
        assert_eq!(only_b.groups.len(), 1);
        assert_eq!(only_b.accounts.len(), 2);
        assert_eq!(only_b.groups[0].ours_paid, Tally { count: 1, amount: 10 });
    }
}

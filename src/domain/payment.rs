//! Fees and charges of a dossier, and the life of a payment transaction: amounts in whole đồng
//! ([`Vnd`]), never floats.
//!
//! A procedure's fee schedule is a list of [`FeeRule`]s (phí and lệ phí). A rule applies to a
//! dossier unconditionally, or when a form field has a given value (e.g. "nộp trực tuyến"); its
//! amount is per unit, times a quantity read from a form field (copies, pages) or 1.
//!
//! A payment request may have several attempts (transactions), each with its own reference
//! (`MaThamChieu`); each moves `khoi-tao → thanh-cong | that-bai | het-han`, and `thanh-cong` is
//! final: a late "failed" after "paid" changes nothing (integrations.md §A5).

use crate::domain::catalogue::FeeKind;
use crate::domain::money::Vnd;
use serde::{Deserialize, Serialize};

/// Most units one fee line may count (copies, pages, people): beyond it the form value is
/// surely a mistake.
pub const MAX_QUANTITY: i64 = 10_000;

/// One row of a procedure's fee schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeRule {
    /// Phí or lệ phí.
    pub kind: FeeKind,
    /// What it is for, as the catalogue says.
    pub description: String,
    /// The amount per unit.
    pub amount: Vnd,
    /// The unit ("bản", "trang"), if the amount is per unit.
    pub per_unit: Option<String>,
    /// The form field holding the number of units; none means one unit.
    pub quantity_field: Option<String>,
    /// The rule applies only when this form field has this value.
    pub when: Option<(String, String)>,
}

/// One line of what a dossier owes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// `phi` or `le_phi`.
    pub kind: String,
    /// What it is for.
    pub description: String,
    /// Per unit.
    pub unit_amount: Vnd,
    /// How many units.
    pub quantity: i64,
    /// `unit_amount × quantity`.
    pub amount: Vnd,
}

/// Why fees could not be worked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeeError {
    /// A quantity field holds something that is not a whole number from 0 to [`MAX_QUANTITY`].
    BadQuantity {
        /// The field.
        field: String,
    },
    /// The total does not fit (never with real fees).
    Overflow,
}

impl FeeError {
    /// A Vietnamese message.
    pub fn message(&self) -> String {
        match self {
            FeeError::BadQuantity { .. } => {
                format!("Số lượng phải là số nguyên từ 0 đến {MAX_QUANTITY}.")
            }
            FeeError::Overflow => "Tổng số tiền phí, lệ phí vượt quá giới hạn cho phép.".to_owned(),
        }
    }
}

/// The lines a dossier owes under `rules`, given its form values by name (`value_of` returns
/// the stored value: a number as digits, a choice as its option value). Lines of 0 đ are left
/// out; an empty result means nothing to pay.
pub fn assess(rules: &[FeeRule], value_of: &dyn Fn(&str) -> Option<String>) -> Result<Vec<FeeLine>, FeeError> {
    let mut lines = Vec::new();
    for rule in rules {
        if let Some((field, expected)) = &rule.when
            && value_of(field).as_deref().map(str::trim) != Some(expected.as_str())
        {
            continue;
        }
        let quantity = match &rule.quantity_field {
            None => 1,
            Some(field) => quantity(value_of(field).as_deref(), field)?,
        };
        let amount = rule.amount.0.checked_mul(quantity).ok_or(FeeError::Overflow)?;
        if amount == 0 {
            continue;
        }
        lines.push(FeeLine {
            kind: rule.kind.code().to_owned(),
            description: rule.description.clone(),
            unit_amount: rule.amount,
            quantity,
            amount: Vnd(amount),
        });
    }
    Ok(lines)
}

/// Parses a quantity: empty or absent is 0 (an optional "number of copies" left blank).
fn quantity(text: Option<&str>, field: &str) -> Result<i64, FeeError> {
    let text = text.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Ok(0);
    }
    let digits: String = text.chars().filter(|c| *c != '.' && *c != ' ').collect();
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=MAX_QUANTITY).contains(n))
        .ok_or_else(|| FeeError::BadQuantity { field: field.to_owned() })
}

/// The lines an officer asks for: each rule with the quantity the officer confirmed (the
/// rule's condition is the officer's judgement here; 0 leaves it out).
pub fn lines_with_quantities(rules: &[FeeRule], quantities: &[i64]) -> Result<Vec<FeeLine>, FeeError> {
    let mut lines = Vec::new();
    for (rule, &quantity) in rules.iter().zip(quantities) {
        if !(0..=MAX_QUANTITY).contains(&quantity) {
            return Err(FeeError::BadQuantity { field: rule.description.clone() });
        }
        let amount = rule.amount.0.checked_mul(quantity).ok_or(FeeError::Overflow)?;
        if amount > 0 {
            lines.push(FeeLine {
                kind: rule.kind.code().to_owned(),
                description: rule.description.clone(),
                unit_amount: rule.amount,
                quantity,
                amount: Vnd(amount),
            });
        }
    }
    Ok(lines)
}

/// The sum of the lines.
pub fn total(lines: &[FeeLine]) -> Result<Vnd, FeeError> {
    lines.iter().try_fold(Vnd(0), |sum, l| sum.0.checked_add(l.amount.0).map(Vnd).ok_or(FeeError::Overflow))
}

/// The state of a payment request (yêu cầu thanh toán).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// Waiting for the citizen to pay.
    Open,
    /// Paid (online or at the desk).
    Paid,
    /// Cancelled: the dossier ended (withdrawn, stopped) before payment.
    Cancelled,
}

impl RequestStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::Open => "cho-thanh-toan",
            RequestStatus::Paid => "da-thanh-toan",
            RequestStatus::Cancelled => "huy",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [RequestStatus::Open, RequestStatus::Paid, RequestStatus::Cancelled].into_iter().find(|s| s.code() == code)
    }

    /// For the citizen and the officer.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Open => "Chờ thanh toán",
            RequestStatus::Paid => "Đã thanh toán",
            RequestStatus::Cancelled => "Đã hủy",
        }
    }
}

/// The state of one payment attempt (giao dịch), as the national payment platform names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TxStatus {
    /// Sent to the gateway, not settled.
    Pending,
    /// Paid: final.
    Paid,
    /// Failed or cancelled by the citizen.
    Failed,
    /// Never settled and now too old to be paid.
    Expired,
}

impl TxStatus {
    /// Every state.
    pub const ALL: [TxStatus; 4] = [TxStatus::Pending, TxStatus::Paid, TxStatus::Failed, TxStatus::Expired];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            TxStatus::Pending => "khoi-tao",
            TxStatus::Paid => "thanh-cong",
            TxStatus::Failed => "that-bai",
            TxStatus::Expired => "het-han",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        TxStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            TxStatus::Pending => "Đang xác nhận",
            TxStatus::Paid => "Thành công",
            TxStatus::Failed => "Không thành công",
            TxStatus::Expired => "Hết hạn",
        }
    }
}

/// What the gateway says became of a transaction (a CONFIRM callback, or a QUERY answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Paid.
    Paid,
    /// Failed or cancelled.
    Failed,
    /// Not known yet (QUERY `TrangThaiGD = 3`).
    Pending,
}

/// What to do with a verdict on a transaction in state `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Move to this state (and, when it is `Paid`, settle the payment request and the dossier).
    MoveTo(TxStatus),
    /// Already in the state the verdict gives: acknowledge, change nothing.
    Repeat,
    /// "Paid" for an attempt already marked failed or expired here (the gateway settled it
    /// late): the money was taken, so it is recorded as paid — never lost — with an alert for
    /// the finance officer (who refunds it if the fee was meanwhile paid another way).
    LatePayment,
    /// "Failed" for a paid attempt: change nothing, raise an alert.
    Conflict,
    /// Nothing to do (still pending).
    Nothing,
}

/// The transition table of a payment attempt: `khoi-tao → thanh-cong | that-bai | het-han`,
/// `thanh-cong` final; a payment confirmed after the attempt was given up is still a payment.
pub fn settle(from: TxStatus, verdict: Verdict) -> Settlement {
    use Settlement as S;
    use TxStatus as T;
    match (from, verdict) {
        (_, Verdict::Pending) => S::Nothing,
        (T::Pending, Verdict::Paid) => S::MoveTo(T::Paid),
        (T::Pending, Verdict::Failed) => S::MoveTo(T::Failed),
        (T::Paid, Verdict::Paid) | (T::Failed, Verdict::Failed) | (T::Expired, Verdict::Failed) => S::Repeat,
        (T::Failed | T::Expired, Verdict::Paid) => S::LatePayment,
        (T::Paid, Verdict::Failed) => S::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn rule(amount: i64, quantity_field: Option<&str>, when: Option<(&str, &str)>) -> FeeRule {
        FeeRule {
            kind: FeeKind::LePhi,
            description: format!("{amount}"),
            amount: Vnd(amount),
            per_unit: quantity_field.map(|_| "bản".to_owned()),
            quantity_field: quantity_field.map(str::to_owned),
            when: when.map(|(f, v)| (f.to_owned(), v.to_owned())),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn owed(rules: &[FeeRule], values: &HashMap<String, String>) -> Result<(Vec<i64>, Vnd), FeeError> {
        let lines = assess(rules, &|name| values.get(name).cloned())?;
        Ok((lines.iter().map(|l| l.amount.0).collect(), total(&lines)?))
    }

    #[test]
    fn fixed_per_copy_and_conditional_rules() {
        let rules = [
            rule(15_000, None, None),
            rule(8_000, Some("so_ban_sao"), None),
            rule(25_000, None, Some(("hinh_thuc", "giay"))),
            rule(0, None, None),
        ];
        // (form values, expected lines, expected total) — worked out by hand.
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [i64], i64);
        let cases: &[Case] = &[
            (&[], &[15_000], 15_000),
            (&[("so_ban_sao", "3")], &[15_000, 24_000], 39_000),
            (&[("so_ban_sao", "0"), ("hinh_thuc", "giay")], &[15_000, 25_000], 40_000),
            (&[("so_ban_sao", "1.000")], &[15_000, 8_000_000], 8_015_000),
            (&[("hinh_thuc", "dien_tu")], &[15_000], 15_000),
        ];
        for (values, lines, sum) in cases {
            assert_eq!(owed(&rules, &form(values)), Ok((lines.to_vec(), Vnd(*sum))), "{values:?}");
        }
    }

    #[test]
    fn free_procedures_owe_nothing() {
        assert_eq!(owed(&[rule(0, None, None)], &form(&[])), Ok((vec![], Vnd(0))));
        assert_eq!(owed(&[], &form(&[])), Ok((vec![], Vnd(0))));
    }

    #[test]
    fn bad_quantities_are_refused() {
        let rules = [rule(8_000, Some("so_ban_sao"), None)];
        for bad in ["-1", "abc", "10001", "2,5"] {
            assert_eq!(
                owed(&rules, &form(&[("so_ban_sao", bad)])),
                Err(FeeError::BadQuantity { field: "so_ban_sao".into() }),
                "{bad}"
            );
        }
        assert_eq!(owed(&[rule(i64::MAX, Some("n"), None)], &form(&[("n", "2")])), Err(FeeError::Overflow));
        assert_eq!(owed(&[rule(i64::MAX, None, None), rule(1, None, None)], &form(&[])), Err(FeeError::Overflow));
    }

    #[test]
    fn settlement_table() {
        use Settlement as S;
        use TxStatus as T;
        let cases = [
            (T::Pending, Verdict::Paid, S::MoveTo(T::Paid)),
            (T::Pending, Verdict::Failed, S::MoveTo(T::Failed)),
            (T::Pending, Verdict::Pending, S::Nothing),
            (T::Paid, Verdict::Paid, S::Repeat),
            (T::Paid, Verdict::Failed, S::Conflict),
            (T::Paid, Verdict::Pending, S::Nothing),
            (T::Failed, Verdict::Failed, S::Repeat),
            (T::Failed, Verdict::Paid, S::LatePayment),
            (T::Expired, Verdict::Paid, S::LatePayment),
            (T::Expired, Verdict::Failed, S::Repeat),
        ];
        for (from, verdict, expected) in cases {
            assert_eq!(settle(from, verdict), expected, "{from:?} {verdict:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in TxStatus::ALL {
            assert_eq!(TxStatus::parse(s.code()), Some(s));
        }
        for s in [RequestStatus::Open, RequestStatus::Paid, RequestStatus::Cancelled] {
            assert_eq!(RequestStatus::parse(s.code()), Some(s));
        }
    }
}

//! The dossier lifecycle: states are the national `TrangThaiHoSo` codes 1–10, and one transition
//! table says which action by which role leads where; anything else is refused. Also the dossier
//! code format `<agency identifier>-<yyMMdd>-<5-digit daily sequence>`.

use chrono::NaiveDate;

/// A dossier state (national `TrangThaiHoSo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// 1 — submitted online, not yet received.
    Submitted,
    /// 2 — received; the legal clock runs.
    Received,
    /// 3 — refused at intake.
    Refused,
    /// 4 — in processing.
    Processing,
    /// 5 — supplement requested; clock paused.
    SupplementRequested,
    /// 6 — waiting for payment; clock paused.
    AwaitingPayment,
    /// 7 — withdrawn by the citizen.
    Withdrawn,
    /// 8 — processing stopped.
    Stopped,
    /// 9 — result ready.
    Resolved,
    /// 10 — result returned.
    Returned,
}

impl Status {
    /// Every state in code order.
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::Refused,
        Status::Processing,
        Status::SupplementRequested,
        Status::AwaitingPayment,
        Status::Withdrawn,
        Status::Stopped,
        Status::Resolved,
        Status::Returned,
    ];

    /// The national code.
    pub fn code(self) -> i32 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::Refused => 3,
            Status::Processing => 4,
            Status::SupplementRequested => 5,
            Status::AwaitingPayment => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::Resolved => 9,
            Status::Returned => 10,
        }
    }

    /// From the national code.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The name citizens see.
    pub fn label(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký",
            Status::Received => "Đã tiếp nhận",
            Status::Refused => "Không được tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Status::AwaitingPayment => "Chờ thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Đã rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Resolved => "Đã có kết quả",
            Status::Returned => "Đã trả kết quả",
        }
    }

    /// Whether nothing more will happen to the dossier.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Refused | Status::Withdrawn | Status::Stopped | Status::Returned)
    }
}

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The applicant.
    Citizen,
    /// One-stop desk officer.
    OneStop,
    /// Specialist.
    Specialist,
    /// Leader.
    Leader,
    /// The system (payment callback, e-result download).
    System,
}

/// What can be done to a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The citizen submits online (creates the dossier in state 1).
    Submit,
    /// The one-stop desk receives it (1→2).
    Receive,
    /// The one-stop desk refuses it at intake (1→3).
    Refuse,
    /// A supplement is requested (→5).
    RequestSupplement,
    /// The citizen supplies what was missing (5→2 or back to 4).
    Supplement,
    /// Payment is requested (→6).
    RequestPayment,
    /// Payment arrived (6→ back).
    Pay,
    /// Handed to a specialist (2→4).
    Assign,
    /// The leader approves the result (4→9).
    Approve,
    /// The leader stops processing (→8).
    Stop,
    /// The result is handed over (9→10).
    ReturnResult,
    /// The citizen withdraws (→7).
    Withdraw,
}

/// Why a transition is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The state the dossier is in.
    pub from: Status,
    /// What was asked.
    pub action: Action,
}

impl Refusal {
    /// A Vietnamese message for the person who asked.
    pub fn message(&self) -> String {
        format!("Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái «{}».", self.from.label())
    }
}

/// The transition table: from `from`, may `role` do `action`, and where does it lead? For
/// actions whose target depends on history (a supplement returns to where the dossier was; a
/// payment resumes), `resume` is the state to go back to.
pub fn transition(from: Status, action: Action, role: Role, resume: Option<Status>) -> Result<Status, Refusal> {
    use Action as A;
    use Status as S;
    let refused = Refusal { from, action };
    let to = match (from, action, role) {
        (S::Submitted, A::Receive, Role::OneStop) => S::Received,
        (S::Submitted, A::Refuse, Role::OneStop) => S::Refused,
        (S::Submitted | S::Received | S::Processing, A::RequestSupplement, Role::OneStop | Role::Specialist) => {
            S::SupplementRequested
        }
        (S::SupplementRequested, A::Supplement, Role::Citizen) => match resume {
            Some(S::Processing) => S::Processing,
            _ => S::Received,
        },
        (S::Submitted | S::Received | S::Processing, A::RequestPayment, Role::OneStop | Role::Specialist) => {
            S::AwaitingPayment
        }
        (S::AwaitingPayment, A::Pay, Role::System | Role::OneStop) => match resume {
            Some(s @ (S::Submitted | S::Received | S::Processing)) => s,
            _ => S::Received,
        },
        (S::Received, A::Assign, Role::OneStop) => S::Processing,
        (S::Processing, A::Approve, Role::Leader) => S::Resolved,
        (S::Received | S::Processing, A::Stop, Role::Leader) => S::Stopped,
        (S::Resolved, A::ReturnResult, Role::OneStop | Role::System) => S::Returned,
        (
            S::Submitted | S::Received | S::Processing | S::SupplementRequested | S::AwaitingPayment,
            A::Withdraw,
            Role::Citizen,
        ) => S::Withdrawn,
        _ => return Err(refused),
    };
    Ok(to)
}

/// The Vietnamese name of a history action as stored (`submit`, `withdraw`, …).
pub fn action_label(action: &str) -> &'static str {
    match action {
        "submit" => "Nộp hồ sơ trực tuyến",
        "counter_intake" => "Tiếp nhận hồ sơ trực tiếp",
        "receive" => "Tiếp nhận hồ sơ",
        "refuse" => "Từ chối tiếp nhận",
        "request_supplement" => "Yêu cầu bổ sung giấy tờ",
        "supplement" => "Công dân bổ sung giấy tờ",
        "request_payment" => "Yêu cầu thực hiện nghĩa vụ tài chính",
        "pay" => "Đã thanh toán phí, lệ phí",
        "assign" => "Chuyển chuyên viên xử lý",
        "approve" => "Lãnh đạo phê duyệt kết quả",
        "stop" => "Dừng xử lý",
        "return_result" => "Trả kết quả",
        "withdraw" => "Công dân rút hồ sơ",
        _ => "Cập nhật hồ sơ",
    }
}

/// A dossier code: `<agency identifier>-<yyMMdd>-<5-digit sequence>`, e.g.
/// `000.00.01.H56-261125-00017` (DESIGN.md §4). The day is the local (Asia/Ho_Chi_Minh) date.
pub fn dossier_code(agency_code: &str, day: NaiveDate, sequence: u32) -> String {
    format!("{agency_code}-{}-{sequence:05}", day.format("%y%m%d"))
}

/// Whether a string looks like a dossier code (so tracking can answer "malformed" at once).
pub fn looks_like_dossier_code(code: &str) -> bool {
    let parts: Vec<&str> = code.rsplitn(3, '-').collect();
    matches!(parts.as_slice(), [seq, day, agency]
        if seq.len() == 5 && seq.bytes().all(|b| b.is_ascii_digit())
            && day.len() == 6 && day.bytes().all(|b| b.is_ascii_digit())
            && super::catalogue::is_agency_code(agency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        assert_eq!(Status::from_code(0), None);
        assert_eq!(Status::from_code(11), None);
    }

    #[test]
    fn the_table_allows_the_lifecycle_and_nothing_else() {
        use Action as A;
        use Status as S;
        let ok = [
            (S::Submitted, A::Receive, Role::OneStop, None, S::Received),
            (S::Submitted, A::Refuse, Role::OneStop, None, S::Refused),
            (S::Received, A::Assign, Role::OneStop, None, S::Processing),
            (S::Processing, A::RequestSupplement, Role::Specialist, None, S::SupplementRequested),
            (S::SupplementRequested, A::Supplement, Role::Citizen, Some(S::Processing), S::Processing),
            (S::SupplementRequested, A::Supplement, Role::Citizen, Some(S::Submitted), S::Received),
            (S::Received, A::RequestPayment, Role::OneStop, None, S::AwaitingPayment),
            (S::AwaitingPayment, A::Pay, Role::System, Some(S::Received), S::Received),
            (S::Processing, A::Approve, Role::Leader, None, S::Resolved),
            (S::Processing, A::Stop, Role::Leader, None, S::Stopped),
            (S::Resolved, A::ReturnResult, Role::OneStop, None, S::Returned),
            (S::Submitted, A::Withdraw, Role::Citizen, None, S::Withdrawn),
            (S::SupplementRequested, A::Withdraw, Role::Citizen, None, S::Withdrawn),
        ];
        for (from, action, role, resume, to) in ok {
            assert_eq!(transition(from, action, role, resume), Ok(to), "{from:?} {action:?} {role:?}");
        }
        let refused = [
            (S::Resolved, A::Withdraw, Role::Citizen),
            (S::Returned, A::Withdraw, Role::Citizen),
            (S::Withdrawn, A::Withdraw, Role::Citizen),
            (S::Refused, A::Receive, Role::OneStop),
            (S::Submitted, A::Receive, Role::Citizen),
            (S::Processing, A::Approve, Role::OneStop),
            (S::Received, A::Approve, Role::Leader),
            (S::Submitted, A::Withdraw, Role::OneStop),
        ];
        for (from, action, role) in refused {
            let err = transition(from, action, role, None);
            assert_eq!(err, Err(Refusal { from, action }), "{from:?} {action:?} {role:?}");
        }
        assert!(Refusal { from: S::Returned, action: A::Withdraw }.message().contains("Đã trả kết quả"));
    }

    #[test]
    fn dossier_codes() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        assert_eq!(dossier_code("000.00.01.H56", day, 17), "000.00.01.H56-261125-00017");
        assert!(looks_like_dossier_code("000.00.01.H56-261125-00017"));
        assert!(!looks_like_dossier_code("000.00.01.H56-261125-0017"));
        assert!(!looks_like_dossier_code("x-261125-00017"));
        assert!(!looks_like_dossier_code(""));
    }
}

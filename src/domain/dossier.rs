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

/// Who acts: the role in which a person acts on a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The applicant.
    Citizen,
    /// One-stop desk officer (cán bộ một cửa).
    OneStop,
    /// Specialist (chuyên viên).
    Specialist,
    /// Leader (lãnh đạo).
    Leader,
    /// The system (payment callback, e-result download).
    System,
}

impl Role {
    /// The code stored in `staff_roles.role` and in history rows.
    pub fn code(self) -> &'static str {
        match self {
            Role::Citizen => "cong_dan",
            Role::OneStop => "mot_cua",
            Role::Specialist => "chuyen_vien",
            Role::Leader => "lanh_dao",
            Role::System => "he_thong",
        }
    }

    /// From a stored code.
    pub fn from_code(code: &str) -> Option<Role> {
        [Role::Citizen, Role::OneStop, Role::Specialist, Role::Leader, Role::System]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Role::Citizen => "Công dân",
            Role::OneStop => "Cán bộ một cửa",
            Role::Specialist => "Chuyên viên",
            Role::Leader => "Lãnh đạo",
            Role::System => "Hệ thống",
        }
    }
}

/// Where a dossier is inside the agencies (DESIGN §4: the current handler's step). While
/// received (2) it waits at the one-stop desk; in processing (4) it moves between a specialist,
/// another agency (liên thông) and the leader; with a result (9) it is back at the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// At the one-stop desk (Bộ phận Một cửa).
    OneStop,
    /// With a specialist of the handling agency.
    Specialist,
    /// Transferred to another agency for its part (liên thông).
    Transferred,
    /// Waiting for the leader's approval.
    Leader,
    /// Result ready at the desk, to be returned.
    Return,
}

impl Step {
    /// Stored code (`dossiers.handler_step`).
    pub fn code(self) -> &'static str {
        match self {
            Step::OneStop => "mot_cua",
            Step::Specialist => "chuyen_vien",
            Step::Transferred => "lien_thong",
            Step::Leader => "lanh_dao",
            Step::Return => "tra_ket_qua",
        }
    }

    /// From a stored code.
    pub fn from_code(code: &str) -> Option<Step> {
        [Step::OneStop, Step::Specialist, Step::Transferred, Step::Leader, Step::Return]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Step::OneStop => "Bộ phận một cửa",
            Step::Specialist => "Chuyên viên xử lý",
            Step::Transferred => "Chuyển liên thông",
            Step::Leader => "Chờ lãnh đạo phê duyệt",
            Step::Return => "Chờ trả kết quả",
        }
    }

    /// The role that acts at this step.
    pub fn role(self) -> Role {
        match self {
            Step::OneStop | Step::Return => Role::OneStop,
            Step::Specialist | Step::Transferred => Role::Specialist,
            Step::Leader => Role::Leader,
        }
    }
}

/// What can be done to a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// The citizen submits online (creates the dossier in state 1).
    Submit,
    /// An officer records a walk-in dossier (created directly in state 2).
    CounterIntake,
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
    /// Sent to another agency for its part (inside 4).
    Transfer,
    /// The other agency sends it back with its answer (inside 4).
    ReturnTransfer,
    /// The specialist proposes the result to the leader (inside 4).
    ProposeResult,
    /// The leader sends the proposal back with a note (inside 4).
    SendBack,
    /// The leader approves the result (4→9).
    Approve,
    /// The leader stops processing (→8).
    Stop,
    /// The result is handed over (9→10).
    ReturnResult,
    /// The citizen withdraws (→7).
    Withdraw,
}

impl Action {
    /// The code stored in history rows.
    pub fn code(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::CounterIntake => "counter_intake",
            Action::Receive => "receive",
            Action::Refuse => "refuse",
            Action::RequestSupplement => "request_supplement",
            Action::Supplement => "supplement",
            Action::RequestPayment => "request_payment",
            Action::Pay => "pay",
            Action::Assign => "assign",
            Action::Transfer => "transfer",
            Action::ReturnTransfer => "return_transfer",
            Action::ProposeResult => "propose_result",
            Action::SendBack => "send_back",
            Action::Approve => "approve",
            Action::Stop => "stop",
            Action::ReturnResult => "return_result",
            Action::Withdraw => "withdraw",
        }
    }
}

/// A dossier's position: its state and, while in the agencies' hands, its step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The state.
    pub status: Status,
    /// The step (none once final, or before reception).
    pub step: Option<Step>,
}

impl Position {
    /// A position.
    pub fn new(status: Status, step: Option<Step>) -> Self {
        Position { status, step }
    }
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
/// payment resumes), `resume` is the position to go back to.
///
/// Rules (Decree 118/2025/NĐ-CP): reception or refusal at the one-stop desk, Art. 17(1)–(2);
/// a supplement requested through the desk, Art. 17(1)(c), 17(2)(c) and 19(5); transfer between
/// agencies (liên thông), Art. 19(4) and 20; the result approved and returned through the desk,
/// Art. 22; a citizen may ask to stop (withdraw) until the decision, Art. 21; the competent
/// agency refuses after appraisal (here: the leader stops processing), Art. 19(3).
pub fn transition(from: Position, action: Action, role: Role, resume: Option<Position>) -> Result<Position, Refusal> {
    use Action as A;
    use Status as S;
    let refused = Refusal { from: from.status, action };
    let at = |status, step| Position::new(status, Some(step));
    let end = |status| Position::new(status, None);
    let to = match (from.status, from.step, action, role) {
        (S::Submitted, _, A::Receive, Role::OneStop) => at(S::Received, Step::OneStop),
        (S::Submitted, _, A::Refuse, Role::OneStop) => end(S::Refused),
        (S::Submitted | S::Received, _, A::RequestSupplement, Role::OneStop)
        | (S::Processing, Some(Step::Specialist), A::RequestSupplement, Role::Specialist) => {
            Position::new(S::SupplementRequested, from.step)
        }
        (S::SupplementRequested, _, A::Supplement, Role::Citizen) => match resume {
            Some(p @ Position { status: S::Processing, .. }) => p,
            _ => at(S::Received, Step::OneStop),
        },
        // Fees due at submission (toàn trình): the portal asks before the desk sees it.
        (S::Submitted, _, A::RequestPayment, Role::System) => Position::new(S::AwaitingPayment, from.step),
        (S::Submitted | S::Received, _, A::RequestPayment, Role::OneStop)
        | (S::Processing, Some(Step::Specialist), A::RequestPayment, Role::Specialist) => {
            Position::new(S::AwaitingPayment, from.step)
        }
        (S::AwaitingPayment, _, A::Pay, Role::System | Role::OneStop) => match resume {
            Some(p @ Position { status: S::Submitted | S::Received | S::Processing, .. }) => p,
            _ => at(S::Received, Step::OneStop),
        },
        (S::Received, _, A::Assign, Role::OneStop) => at(S::Processing, Step::Specialist),
        (S::Processing, Some(Step::Specialist), A::Transfer, Role::Specialist) => at(S::Processing, Step::Transferred),
        (S::Processing, Some(Step::Transferred), A::ReturnTransfer, Role::Specialist) => {
            at(S::Processing, Step::Specialist)
        }
        (S::Processing, Some(Step::Specialist), A::ProposeResult, Role::Specialist) => at(S::Processing, Step::Leader),
        (S::Processing, Some(Step::Leader), A::SendBack, Role::Leader) => at(S::Processing, Step::Specialist),
        (S::Processing, Some(Step::Leader), A::Approve, Role::Leader) => at(S::Resolved, Step::Return),
        // Not while another agency holds its part (liên thông): it comes back first.
        (S::Received | S::Processing, step, A::Stop, Role::Leader) if step != Some(Step::Transferred) => {
            end(S::Stopped)
        }
        (S::Resolved, _, A::ReturnResult, Role::OneStop | Role::System | Role::Citizen) => end(S::Returned),
        (
            S::Submitted | S::Received | S::Processing | S::SupplementRequested | S::AwaitingPayment,
            _,
            A::Withdraw,
            Role::Citizen,
        ) => end(S::Withdrawn),
        _ => return Err(refused),
    };
    Ok(to)
}

/// Where a new dossier starts: online submissions wait at the desk (1); counter intake is
/// received at once (2), Decree 118/2025/NĐ-CP Art. 17(1).
pub fn initial(action: Action) -> Option<Position> {
    match action {
        Action::Submit => Some(Position::new(Status::Submitted, Some(Step::OneStop))),
        Action::CounterIntake => Some(Position::new(Status::Received, Some(Step::OneStop))),
        _ => None,
    }
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
        "transfer" => "Chuyển liên thông",
        "return_transfer" => "Cơ quan liên thông trả lại",
        "propose_result" => "Trình lãnh đạo phê duyệt",
        "send_back" => "Lãnh đạo trả lại chuyên viên",
        "approve" => "Lãnh đạo phê duyệt kết quả",
        "stop" => "Dừng xử lý",
        "return_result" => "Trả kết quả",
        "withdraw" => "Công dân rút hồ sơ",
        "extend" => "Gia hạn, xin lỗi và hẹn lại ngày trả",
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

    fn p(status: Status, step: Option<Step>) -> Position {
        Position::new(status, step)
    }

    #[test]
    fn the_table_allows_the_lifecycle_and_nothing_else() {
        use Action as A;
        use Status as S;
        let desk = Some(Step::OneStop);
        let spec = Some(Step::Specialist);
        let ok = [
            (p(S::Submitted, desk), A::Receive, Role::OneStop, None, p(S::Received, desk)),
            (p(S::Submitted, desk), A::Refuse, Role::OneStop, None, p(S::Refused, None)),
            (p(S::Received, desk), A::Assign, Role::OneStop, None, p(S::Processing, spec)),
            (p(S::Processing, spec), A::RequestSupplement, Role::Specialist, None, p(S::SupplementRequested, spec)),
            (p(S::Submitted, desk), A::RequestSupplement, Role::OneStop, None, p(S::SupplementRequested, desk)),
            (
                p(S::SupplementRequested, spec),
                A::Supplement,
                Role::Citizen,
                Some(p(S::Processing, spec)),
                p(S::Processing, spec),
            ),
            (
                p(S::SupplementRequested, desk),
                A::Supplement,
                Role::Citizen,
                Some(p(S::Submitted, desk)),
                p(S::Received, desk),
            ),
            (p(S::Received, desk), A::RequestPayment, Role::OneStop, None, p(S::AwaitingPayment, desk)),
            (p(S::AwaitingPayment, desk), A::Pay, Role::System, Some(p(S::Received, desk)), p(S::Received, desk)),
            (p(S::Processing, spec), A::Transfer, Role::Specialist, None, p(S::Processing, Some(Step::Transferred))),
            (
                p(S::Processing, Some(Step::Transferred)),
                A::ReturnTransfer,
                Role::Specialist,
                None,
                p(S::Processing, spec),
            ),
            (p(S::Processing, spec), A::ProposeResult, Role::Specialist, None, p(S::Processing, Some(Step::Leader))),
            (p(S::Processing, Some(Step::Leader)), A::SendBack, Role::Leader, None, p(S::Processing, spec)),
            (p(S::Processing, Some(Step::Leader)), A::Approve, Role::Leader, None, p(S::Resolved, Some(Step::Return))),
            (p(S::Processing, spec), A::Stop, Role::Leader, None, p(S::Stopped, None)),
            (p(S::Resolved, Some(Step::Return)), A::ReturnResult, Role::OneStop, None, p(S::Returned, None)),
            (p(S::Resolved, Some(Step::Return)), A::ReturnResult, Role::Citizen, None, p(S::Returned, None)),
            (p(S::Submitted, desk), A::Withdraw, Role::Citizen, None, p(S::Withdrawn, None)),
            (p(S::SupplementRequested, desk), A::Withdraw, Role::Citizen, None, p(S::Withdrawn, None)),
        ];
        for (from, action, role, resume, to) in ok {
            assert_eq!(transition(from, action, role, resume), Ok(to), "{from:?} {action:?} {role:?}");
        }
        let refused = [
            (p(S::Resolved, Some(Step::Return)), A::Withdraw, Role::Citizen),
            (p(S::Returned, None), A::Withdraw, Role::Citizen),
            (p(S::Withdrawn, None), A::Withdraw, Role::Citizen),
            (p(S::Refused, None), A::Receive, Role::OneStop),
            (p(S::Submitted, desk), A::Receive, Role::Citizen),
            (p(S::Processing, Some(Step::Leader)), A::Approve, Role::OneStop),
            (p(S::Processing, spec), A::Approve, Role::Leader),
            (p(S::Received, desk), A::Approve, Role::Leader),
            (p(S::Submitted, desk), A::Withdraw, Role::OneStop),
            (p(S::Processing, Some(Step::Leader)), A::Transfer, Role::Specialist),
            (p(S::Processing, spec), A::ReturnTransfer, Role::Specialist),
            (p(S::Processing, Some(Step::Transferred)), A::ProposeResult, Role::Specialist),
            (p(S::Processing, spec), A::SendBack, Role::Leader),
            (p(S::Processing, Some(Step::Leader)), A::RequestSupplement, Role::Specialist),
            (p(S::Resolved, Some(Step::Return)), A::Stop, Role::Leader),
            (p(S::Processing, Some(Step::Transferred)), A::Stop, Role::Leader),
            (p(S::Submitted, desk), A::Assign, Role::OneStop),
        ];
        for (from, action, role) in refused {
            let err = transition(from, action, role, None);
            assert_eq!(err, Err(Refusal { from: from.status, action }), "{from:?} {action:?} {role:?}");
        }
        assert!(Refusal { from: S::Returned, action: A::Withdraw }.message().contains("Đã trả kết quả"));
    }

    #[test]
    fn every_action_has_a_label_and_codes_round_trip() {
        use Action as A;
        for a in [
            A::Submit,
            A::CounterIntake,
            A::Receive,
            A::Refuse,
            A::RequestSupplement,
            A::Supplement,
            A::RequestPayment,
            A::Pay,
            A::Assign,
            A::Transfer,
            A::ReturnTransfer,
            A::ProposeResult,
            A::SendBack,
            A::Approve,
            A::Stop,
            A::ReturnResult,
            A::Withdraw,
        ] {
            assert_ne!(action_label(a.code()), "Cập nhật hồ sơ", "{a:?}");
        }
        for r in [Role::Citizen, Role::OneStop, Role::Specialist, Role::Leader, Role::System] {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        for s in [Step::OneStop, Step::Specialist, Step::Transferred, Step::Leader, Step::Return] {
            assert_eq!(Step::from_code(s.code()), Some(s));
        }
        assert_eq!(initial(A::CounterIntake).map(|p| p.status), Some(Status::Received));
        assert_eq!(initial(A::Receive), None);
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

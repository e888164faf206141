//! Payments: what a dossier owes (requests), each attempt at the gateway (transactions), every
//! message the gateway sent us, and the accounts fees are paid into.

use crate::db::DbConn;
use crate::db::schema::{agencies, payment_messages, payment_requests, payment_transactions};
use crate::domain::payment::{RequestStatus, TxStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What a dossier owes.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_requests, treat_none_as_default_value = false)]
pub struct PaymentRequest {
    /// UUID v7.
    pub id: String,
    /// The dossier.
    pub dossier_id: String,
    /// The total.
    pub amount_vnd: i64,
    /// JSON of `Vec<FeeLine>`.
    pub lines: String,
    /// Beneficiary account.
    pub beneficiary_account: String,
    /// Its bank's code.
    pub beneficiary_bank: String,
    /// Its holder.
    pub beneficiary_name: String,
    /// `submission` or `officer`.
    pub reason: String,
    /// The officer who asked.
    pub requested_by: Option<String>,
    /// [`RequestStatus`] code.
    pub status: String,
    /// When paid.
    pub paid_at: Option<NaiveDateTime>,
    /// `truc-tuyen` (gateway) or `truc-tiep` (at the desk).
    pub paid_channel: Option<String>,
    /// When asked.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl PaymentRequest {
    /// Inserts one.
    pub fn insert(conn: &mut DbConn, row: &PaymentRequest) -> QueryResult<usize> {
        diesel::insert_into(payment_requests::table).values(row).execute(conn)
    }

    /// One by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<PaymentRequest>> {
        payment_requests::table.find(id).select(PaymentRequest::as_select()).first(conn).optional()
    }

    /// A dossier's requests, oldest first.
    pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<PaymentRequest>> {
        payment_requests::table
            .filter(payment_requests::dossier_id.eq(dossier_id))
            .order((payment_requests::created_at, payment_requests::id))
            .select(PaymentRequest::as_select())
            .load(conn)
    }

    /// The dossier's request still waiting for payment, if any.
    pub fn open_of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Option<PaymentRequest>> {
        payment_requests::table
            .filter(payment_requests::dossier_id.eq(dossier_id))
            .filter(payment_requests::status.eq(RequestStatus::Open.code()))
            .select(PaymentRequest::as_select())
            .first(conn)
            .optional()
    }

    /// Marks an open request paid; 0 if it was not open any more (someone settled it first).
    pub fn mark_paid(conn: &mut DbConn, id: &str, channel: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(
            payment_requests::table
                .filter(payment_requests::id.eq(id))
                .filter(payment_requests::status.eq(RequestStatus::Open.code())),
        )
        .set((
            payment_requests::status.eq(RequestStatus::Paid.code()),
            payment_requests::paid_at.eq(Some(at)),
            payment_requests::paid_channel.eq(Some(channel)),
            payment_requests::updated_at.eq(at),
        ))
        .execute(conn)
    }

    /// Cancels the dossier's open requests (the dossier ended before payment).
    pub fn cancel_open(conn: &mut DbConn, dossier_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(
            payment_requests::table
                .filter(payment_requests::dossier_id.eq(dossier_id))
                .filter(payment_requests::status.eq(RequestStatus::Open.code())),
        )
        .set((payment_requests::status.eq(RequestStatus::Cancelled.code()), payment_requests::updated_at.eq(at)))
        .execute(conn)
    }
}

/// One attempt at the gateway.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_transactions, treat_none_as_default_value = false)]
pub struct PaymentTransaction {
    /// UUID v7.
    pub id: String,
    /// The request it pays.
    pub request_id: String,
    /// The dossier.
    pub dossier_id: String,
    /// `MaThamChieu`: ours, unique.
    pub reference: String,
    /// `SoTien` sent in INIT.
    pub amount_vnd: i64,
    /// `MaTienTe` sent in INIT.
    pub currency: String,
    /// [`TxStatus`] code.
    pub status: String,
    /// `MaGiaoDich`: the gateway's id, unique.
    pub gateway_txn_id: Option<String>,
    /// `MaNganHang` of the payment.
    pub bank_code: Option<String>,
    /// `ThoiGianGD` of INIT, as sent (QUERY and GET_BILL repeat it).
    pub init_time: String,
    /// When INIT was sent (UTC).
    pub initiated_at: NaiveDateTime,
    /// The gateway's payment page.
    pub pay_url: Option<String>,
    /// When it was settled here.
    pub settled_at: Option<NaiveDateTime>,
    /// `ThoiGianGD` of the settlement, as the gateway gave it.
    pub gateway_time: Option<String>,
    /// Last QUERY.
    pub checked_at: Option<NaiveDateTime>,
    /// QUERYs made.
    pub checks: i32,
    /// The e-receipt (content address in the file store).
    pub receipt_sha256: Option<String>,
    /// The beneficiary account (for the reconciliation per account).
    pub beneficiary_account: String,
    /// Why it failed, or the alert it raised.
    pub note: Option<String>,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl PaymentTransaction {
    /// Inserts one.
    pub fn insert(conn: &mut DbConn, row: &PaymentTransaction) -> QueryResult<usize> {
        diesel::insert_into(payment_transactions::table).values(row).execute(conn)
    }

    /// One by our reference.
    pub fn find_by_reference(conn: &mut DbConn, reference: &str) -> QueryResult<Option<PaymentTransaction>> {
        payment_transactions::table
            .filter(payment_transactions::reference.eq(reference))
            .select(PaymentTransaction::as_select())
            .first(conn)
            .optional()
    }

    /// One by the gateway's id.
    pub fn find_by_gateway_id(conn: &mut DbConn, gateway_id: &str) -> QueryResult<Option<PaymentTransaction>> {
        payment_transactions::table
            .filter(payment_transactions::gateway_txn_id.eq(gateway_id))
            .select(PaymentTransaction::as_select())
            .first(conn)
            .optional()
    }

    /// A request's attempts, oldest first.
    pub fn of_request(conn: &mut DbConn, request_id: &str) -> QueryResult<Vec<PaymentTransaction>> {
        payment_transactions::table
            .filter(payment_transactions::request_id.eq(request_id))
            .order((payment_transactions::initiated_at, payment_transactions::id))
            .select(PaymentTransaction::as_select())
            .load(conn)
    }

    /// A dossier's attempts, oldest first.
    pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<PaymentTransaction>> {
        payment_transactions::table
            .filter(payment_transactions::dossier_id.eq(dossier_id))
            .order((payment_transactions::initiated_at, payment_transactions::id))
            .select(PaymentTransaction::as_select())
            .load(conn)
    }

    /// Pending attempts initiated between `from` and `to` (reconciliation), oldest first.
    pub fn pending_between(
        conn: &mut DbConn,
        from: NaiveDateTime,
        to: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<PaymentTransaction>> {
        payment_transactions::table
            .filter(payment_transactions::status.eq(TxStatus::Pending.code()))
            .filter(payment_transactions::initiated_at.ge(from))
            .filter(payment_transactions::initiated_at.lt(to))
            .order((payment_transactions::initiated_at, payment_transactions::id))
            .limit(limit)
            .select(PaymentTransaction::as_select())
            .load(conn)
    }

    /// Attempts initiated in `[from, to)` (a day of the reconciliation report).
    pub fn initiated_between(
        conn: &mut DbConn,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Vec<PaymentTransaction>> {
        payment_transactions::table
            .filter(payment_transactions::initiated_at.ge(from))
            .filter(payment_transactions::initiated_at.lt(to))
            .order((payment_transactions::initiated_at, payment_transactions::id))
            .select(PaymentTransaction::as_select())
            .load(conn)
    }

    /// Moves a pending attempt to `to`, recording the gateway's id, bank and time. 0 if it was
    /// not pending any more (another message settled it first): the caller reloads and decides.
    #[allow(clippy::too_many_arguments)]
    pub fn settle_pending(
        conn: &mut DbConn,
        id: &str,
        to: TxStatus,
        gateway_id: Option<&str>,
        bank: Option<&str>,
        gateway_time: Option<&str>,
        note: Option<&str>,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            payment_transactions::table
                .filter(payment_transactions::id.eq(id))
                .filter(payment_transactions::status.eq(TxStatus::Pending.code())),
        )
        .set((
            payment_transactions::status.eq(to.code()),
            payment_transactions::gateway_txn_id.eq(gateway_id),
            payment_transactions::bank_code.eq(bank),
            payment_transactions::gateway_time.eq(gateway_time),
            payment_transactions::settled_at.eq(Some(at)),
            payment_transactions::note.eq(note),
            payment_transactions::updated_at.eq(at),
        ))
        .execute(conn)
    }

    /// One by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<PaymentTransaction>> {
        payment_transactions::table.find(id).select(PaymentTransaction::as_select()).first(conn).optional()
    }

    /// Stores the gateway's payment page of an attempt.
    pub fn set_pay_url(conn: &mut DbConn, id: &str, url: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(payment_transactions::table.find(id))
            .set((payment_transactions::pay_url.eq(Some(url)), payment_transactions::updated_at.eq(at)))
            .execute(conn)
    }

    /// Records as paid an attempt that was given up (`from`: its state as read), with a note;
    /// 0 if its state changed meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub fn mark_paid_late(
        conn: &mut DbConn,
        id: &str,
        from: &str,
        gateway_id: &str,
        bank: &str,
        gateway_time: &str,
        note: &str,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            payment_transactions::table
                .filter(payment_transactions::id.eq(id))
                .filter(payment_transactions::status.eq(from)),
        )
        .set((
            payment_transactions::status.eq(TxStatus::Paid.code()),
            payment_transactions::gateway_txn_id.eq(Some(gateway_id)),
            payment_transactions::bank_code.eq(Some(bank)),
            payment_transactions::gateway_time.eq(Some(gateway_time)),
            payment_transactions::settled_at.eq(Some(at)),
            payment_transactions::note.eq(Some(note)),
            payment_transactions::updated_at.eq(at),
        ))
        .execute(conn)
    }

    /// Records a QUERY made.
    pub fn mark_checked(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(payment_transactions::table.find(id))
            .set((
                payment_transactions::checked_at.eq(Some(at)),
                payment_transactions::checks.eq(payment_transactions::checks + 1),
            ))
            .execute(conn)
    }

    /// Stores the e-receipt's content address.
    pub fn set_receipt(conn: &mut DbConn, id: &str, sha256: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(payment_transactions::table.find(id))
            .set((payment_transactions::receipt_sha256.eq(Some(sha256)), payment_transactions::updated_at.eq(at)))
            .execute(conn)
    }

    /// Adds a note (an alert) without changing the state.
    pub fn set_note(conn: &mut DbConn, id: &str, note: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(payment_transactions::table.find(id))
            .set((payment_transactions::note.eq(Some(note)), payment_transactions::updated_at.eq(at)))
            .execute(conn)
    }

    /// The state.
    pub fn state(&self) -> TxStatus {
        TxStatus::parse(&self.status).unwrap_or(TxStatus::Pending)
    }
}

/// A message from the gateway and what we did with it.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_messages, treat_none_as_default_value = false)]
pub struct PaymentMessage {
    /// UUID v7.
    pub id: String,
    /// When.
    pub received_at: NaiveDateTime,
    /// `confirm` (callback) or `query` (answer to our QUERY).
    pub source: String,
    /// `MaThamChieu` it named.
    pub reference: Option<String>,
    /// `MaGiaoDich` it named.
    pub gateway_txn_id: Option<String>,
    /// `paid`, `failed`, `repeat`, `pending`, or the refusal (`bad_signature`, `unknown`,
    /// `wrong_partner`, `wrong_amount`, `conflict`, `bad_time`, `malformed`).
    pub outcome: String,
    /// Whether the finance officer must look at it.
    pub alert: bool,
    /// In words (Vietnamese).
    pub detail: String,
    /// The message as received (it holds no personal data: references, amounts, codes).
    pub body: String,
}

impl PaymentMessage {
    /// Inserts one.
    pub fn insert(conn: &mut DbConn, row: &PaymentMessage) -> QueryResult<usize> {
        diesel::insert_into(payment_messages::table).values(row).execute(conn)
    }

    /// Messages received in `[from, to)`, newest first, alerts only if asked.
    pub fn between(
        conn: &mut DbConn,
        from: NaiveDateTime,
        to: NaiveDateTime,
        alerts_only: bool,
        limit: i64,
    ) -> QueryResult<Vec<PaymentMessage>> {
        let mut q = payment_messages::table
            .filter(payment_messages::received_at.ge(from))
            .filter(payment_messages::received_at.lt(to))
            .into_boxed();
        if alerts_only {
            q = q.filter(payment_messages::alert.eq(true));
        }
        q.order(payment_messages::received_at.desc()).limit(limit).select(PaymentMessage::as_select()).load(conn)
    }

    /// The messages that named a reference, oldest first.
    pub fn of_reference(conn: &mut DbConn, reference: &str) -> QueryResult<Vec<PaymentMessage>> {
        payment_messages::table
            .filter(payment_messages::reference.eq(reference))
            .order(payment_messages::received_at)
            .select(PaymentMessage::as_select())
            .load(conn)
    }
}

/// The account an agency's fees are paid into.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = agencies)]
pub struct FeeAccount {
    /// Account number.
    #[diesel(column_name = fee_account)]
    pub account: Option<String>,
    /// Bank code.
    #[diesel(column_name = fee_bank)]
    pub bank: Option<String>,
    /// Holder.
    #[diesel(column_name = fee_account_name)]
    pub name: Option<String>,
}

impl FeeAccount {
    /// The account of an agency.
    pub fn of_agency(conn: &mut DbConn, agency_id: &str) -> QueryResult<Option<FeeAccount>> {
        agencies::table.find(agency_id).select(FeeAccount::as_select()).first(conn).optional()
    }

    /// Sets an agency's account.
    pub fn set(conn: &mut DbConn, agency_id: &str, account: &FeeAccount) -> QueryResult<usize> {
        diesel::update(agencies::table.find(agency_id))
            .set((
                agencies::fee_account.eq(&account.account),
                agencies::fee_bank.eq(&account.bank),
                agencies::fee_account_name.eq(&account.name),
            ))
            .execute(conn)
    }

    /// Demo data: every agency without an account gets one at VietinBank (`CTG`) numbered after
    /// its code, in its own name.
    pub fn seed_demo(conn: &mut DbConn) -> QueryResult<usize> {
        diesel::update(agencies::table.filter(agencies::fee_account.is_null()))
            .set((
                agencies::fee_account
                    .eq(diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>("'3511.' || code")),
                agencies::fee_bank.eq("CTG"),
                agencies::fee_account_name.eq(agencies::name.nullable()),
            ))
            .execute(conn)
    }
}

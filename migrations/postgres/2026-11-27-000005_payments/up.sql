-- Online payment of fees (level 4): fee rules that read the form, the beneficiary account of a
-- procedure, payment requests, their attempts at the gateway, and every gateway message received.

-- When fees are due: at submission (a "toàn trình" procedure: the dossier waits in state 6 until
-- paid) or when an officer asks ('request').
ALTER TABLE procedures ADD COLUMN fee_timing TEXT NOT NULL DEFAULT 'request';
ALTER TABLE procedures ADD COLUMN beneficiary_account TEXT;
ALTER TABLE procedures ADD COLUMN beneficiary_bank TEXT;
ALTER TABLE procedures ADD COLUMN beneficiary_name TEXT;
-- The account fees are paid into, per agency (a commune's procedures are the same in every
-- commune, its account is not); a procedure's own account, if set, takes precedence.
ALTER TABLE agencies ADD COLUMN fee_account TEXT;
ALTER TABLE agencies ADD COLUMN fee_bank TEXT;
ALTER TABLE agencies ADD COLUMN fee_account_name TEXT;
-- A fee per unit counts the units in this form field; it applies only when `when_field` holds
-- `when_value` (if set).
ALTER TABLE procedure_fees ADD COLUMN quantity_field TEXT;
ALTER TABLE procedure_fees ADD COLUMN when_field TEXT;
ALTER TABLE procedure_fees ADD COLUMN when_value TEXT;

-- What a dossier owes (yêu cầu thanh toán): lines as JSON, the beneficiary as it was asked.
CREATE TABLE payment_requests (
    id TEXT NOT NULL PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    lines TEXT NOT NULL,
    beneficiary_account TEXT NOT NULL,
    beneficiary_bank TEXT NOT NULL,
    beneficiary_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT REFERENCES staff (id),
    status TEXT NOT NULL,
    paid_at TIMESTAMP,
    paid_channel TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_requests_dossier ON payment_requests (dossier_id, created_at);

-- One attempt at the gateway (giao dịch): our reference (MaThamChieu) and the gateway's id
-- (MaGiaoDich) are each unique, so a payment can be recorded once only.
CREATE TABLE payment_transactions (
    id TEXT NOT NULL PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES payment_requests (id) ON DELETE CASCADE,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    reference TEXT NOT NULL UNIQUE,
    amount_vnd BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    gateway_txn_id TEXT UNIQUE,
    bank_code TEXT,
    init_time TEXT NOT NULL,
    initiated_at TIMESTAMP NOT NULL,
    pay_url TEXT,
    settled_at TIMESTAMP,
    gateway_time TEXT,
    checked_at TIMESTAMP,
    checks INTEGER NOT NULL DEFAULT 0,
    receipt_sha256 TEXT,
    beneficiary_account TEXT NOT NULL,
    note TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_transactions_request ON payment_transactions (request_id, initiated_at);
CREATE INDEX payment_transactions_status ON payment_transactions (status, initiated_at);
CREATE INDEX payment_transactions_day ON payment_transactions (initiated_at);

-- Every message from the gateway (CONFIRM callbacks, QUERY answers acted on) with what we did:
-- accepted, repeat, or refused and why. Refusals are alerts for the finance officer.
CREATE TABLE payment_messages (
    id TEXT NOT NULL PRIMARY KEY,
    received_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL,
    reference TEXT,
    gateway_txn_id TEXT,
    outcome TEXT NOT NULL,
    alert BOOLEAN NOT NULL,
    detail TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX payment_messages_received ON payment_messages (received_at);
CREATE INDEX payment_messages_reference ON payment_messages (reference);

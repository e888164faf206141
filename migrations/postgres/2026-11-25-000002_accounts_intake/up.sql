-- Citizens and businesses who use the portal.
CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'business')),
    full_name TEXT NOT NULL,
    citizen_id TEXT NOT NULL UNIQUE,
    business_name TEXT,
    tax_code TEXT UNIQUE,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lc TEXT NOT NULL UNIQUE,
    address TEXT,
    password_hash TEXT NOT NULL,
    email_verified_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Server-side sessions; the cookie holds a random token, the row its SHA-256.
CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins, per account and per client address, for throttling.
CREATE TABLE login_failures (
    id TEXT NOT NULL PRIMARY KEY,
    throttle_key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (throttle_key, at);

-- One table for all background work (mail now; portal sync and reconciliation later). Rows are
-- written in the transaction of the change they report and claimed with leases.
CREATE TABLE outbox (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    aggregate_id TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_aggregate ON outbox (aggregate_id, created_at);

-- E-form definitions (JSON) of procedures that have a real one; others get a generic form.
CREATE TABLE eforms (
    procedure_id TEXT NOT NULL PRIMARY KEY REFERENCES procedures (id) ON DELETE CASCADE,
    definition TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A citizen's unfinished dossier.
CREATE TABLE drafts (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    form_values TEXT NOT NULL,
    submit_key TEXT NOT NULL UNIQUE,
    dossier_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX drafts_user ON drafts (user_id, updated_at);

-- Dossiers (hồ sơ). `status` is the national TrangThaiHoSo code 1–10.
CREATE TABLE dossiers (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    applicant_user_id TEXT REFERENCES users (id),
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    applicant_phone TEXT NOT NULL,
    applicant_email TEXT,
    applicant_address TEXT,
    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    channel TEXT NOT NULL CHECK (channel IN ('truc-tuyen', 'truc-tiep', 'buu-chinh')),
    form_values TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP,
    due_at TIMESTAMP,
    finished_at TIMESTAMP,
    status_note TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX dossiers_applicant ON dossiers (applicant_user_id, submitted_at);
CREATE INDEX dossiers_agency_status ON dossiers (agency_id, status, submitted_at);

-- The audit trail of a dossier: every transition, in order.
CREATE TABLE dossier_events (
    id TEXT NOT NULL PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('citizen', 'officer', 'system')),
    actor_id TEXT,
    action TEXT NOT NULL,
    from_status INTEGER,
    to_status INTEGER NOT NULL,
    note TEXT,
    UNIQUE (dossier_id, seq)
);

-- Daily sequence numbers of dossier codes, per agency.
CREATE TABLE dossier_code_counters (
    agency_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
);

-- Uploaded files: of a draft while it is edited, then of the dossier it became.
CREATE TABLE attachments (
    id TEXT NOT NULL PRIMARY KEY,
    owner_user_id TEXT REFERENCES users (id),
    draft_id TEXT REFERENCES drafts (id) ON DELETE SET NULL,
    dossier_id TEXT REFERENCES dossiers (id),
    paper_position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_draft ON attachments (draft_id);
CREATE INDEX attachments_dossier ON attachments (dossier_id);

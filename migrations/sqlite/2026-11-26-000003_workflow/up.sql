-- Staff of the agencies (cán bộ): one agency each, several roles. The password is set through
-- the invitation link, so it is empty until then.
CREATE TABLE staff (
    id TEXT NOT NULL PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lc TEXT NOT NULL UNIQUE,
    phone TEXT,
    position_title TEXT,
    password_hash TEXT,
    active BOOLEAN NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_agency ON staff (agency_id);

-- Roles: mot_cua, chuyen_vien, lanh_dao, quan_tri (checked in code so later roles need no rebuild).
CREATE TABLE staff_roles (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (staff_id, role)
);

-- Sessions now belong to a citizen or to a staff member (exactly one). Sessions are transient:
-- the table is rebuilt and everyone signs in again.
DROP TABLE sessions;
CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    staff_id TEXT REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (staff_id IS NULL))
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- Office sessions of an agency, e.g. "07:30-11:30,13:00-17:00"; NULL means the default.
ALTER TABLE agencies ADD COLUMN office_hours TEXT;

-- How the clock resumes after a pause (DESIGN §5): the full limit again after a supplement, the
-- remaining time after payment, unless the procedure says otherwise.
ALTER TABLE procedures ADD COLUMN restart_after_supplement BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE procedures ADD COLUMN restart_after_payment BOOLEAN NOT NULL DEFAULT FALSE;

-- The workflow of a procedure: which agency (NULL: the receiving one) and role act, in order.
CREATE TABLE procedure_workflow_steps (
    id TEXT NOT NULL PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies (id),
    role TEXT NOT NULL,
    UNIQUE (procedure_id, position)
);

-- Who holds a dossier now (DESIGN §4: agency + step, and the specialist assigned), where it
-- goes back to after a pause, and the folded text searched in the queues.
ALTER TABLE dossiers ADD COLUMN handler_agency_id TEXT REFERENCES agencies (id);
ALTER TABLE dossiers ADD COLUMN handler_step TEXT;
ALTER TABLE dossiers ADD COLUMN handler_staff_id TEXT REFERENCES staff (id);
ALTER TABLE dossiers ADD COLUMN resume_status INTEGER;
ALTER TABLE dossiers ADD COLUMN paused_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN result_note TEXT;
ALTER TABLE dossiers ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE dossiers SET handler_agency_id = agency_id, handler_step = 'mot_cua';
CREATE INDEX dossiers_agency_due ON dossiers (agency_id, status, due_at);
CREATE INDEX dossiers_handler_due ON dossiers (handler_agency_id, status, due_at);
CREATE INDEX dossiers_handler_staff ON dossiers (handler_staff_id, status);

-- History rows also say in which role and agency the actor acted, and the due date after it.
ALTER TABLE dossier_events ADD COLUMN actor_role TEXT;
ALTER TABLE dossier_events ADD COLUMN actor_agency_id TEXT REFERENCES agencies (id);
ALTER TABLE dossier_events ADD COLUMN due_at TIMESTAMP;

-- Files now also come from supplements, counter scans and results.
ALTER TABLE attachments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'paper';
ALTER TABLE attachments ADD COLUMN staff_id TEXT REFERENCES staff (id);
CREATE INDEX attachments_dossier_purpose ON attachments (dossier_id, purpose);

-- Liên thông: a dossier sent to another agency and (later) received back.
CREATE TABLE dossier_transfers (
    id TEXT NOT NULL PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    from_agency_id TEXT NOT NULL REFERENCES agencies (id),
    to_agency_id TEXT NOT NULL REFERENCES agencies (id),
    sent_by TEXT NOT NULL REFERENCES staff (id),
    sent_at TIMESTAMP NOT NULL,
    note TEXT NOT NULL,
    returned_by TEXT REFERENCES staff (id),
    returned_at TIMESTAMP,
    reply_note TEXT
);
CREATE INDEX dossier_transfers_dossier ON dossier_transfers (dossier_id, sent_at);
CREATE INDEX dossier_transfers_to ON dossier_transfers (to_agency_id, dossier_id);

-- Notes between staff about a dossier (never shown to the citizen).
CREATE TABLE dossier_notes (
    id TEXT NOT NULL PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    at TIMESTAMP NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX dossier_notes_dossier ON dossier_notes (dossier_id, at);

-- Due-date extensions, each with its apology letter (phiếu xin lỗi và hẹn lại ngày trả kết quả).
CREATE TABLE dossier_extensions (
    id TEXT NOT NULL PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    at TIMESTAMP NOT NULL,
    old_due_at TIMESTAMP NOT NULL,
    new_due_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX dossier_extensions_dossier ON dossier_extensions (dossier_id, at);

-- Every administrative change: who, when, what, before and after (JSON). Append-only.
CREATE TABLE audit_log (
    id TEXT NOT NULL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    staff_id TEXT REFERENCES staff (id),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Scheduled jobs that must run once per day (deadline reminders): the row is the claim.
CREATE TABLE scheduled_runs (
    name TEXT NOT NULL,
    day DATE NOT NULL,
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (name, day)
);

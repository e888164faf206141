DROP TABLE scheduled_runs;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE dossier_extensions;
DROP TABLE dossier_notes;
DROP TABLE dossier_transfers;
ALTER TABLE attachments DROP COLUMN staff_id;
ALTER TABLE attachments DROP COLUMN purpose;
ALTER TABLE dossier_events DROP COLUMN due_at;
ALTER TABLE dossier_events DROP COLUMN actor_agency_id;
ALTER TABLE dossier_events DROP COLUMN actor_role;
ALTER TABLE dossiers DROP COLUMN search_text;
ALTER TABLE dossiers DROP COLUMN result_note;
ALTER TABLE dossiers DROP COLUMN paused_at;
ALTER TABLE dossiers DROP COLUMN resume_status;
ALTER TABLE dossiers DROP COLUMN handler_staff_id;
ALTER TABLE dossiers DROP COLUMN handler_step;
ALTER TABLE dossiers DROP COLUMN handler_agency_id;
DROP TABLE procedure_workflow_steps;
ALTER TABLE procedures DROP COLUMN restart_after_payment;
ALTER TABLE procedures DROP COLUMN restart_after_supplement;
ALTER TABLE agencies DROP COLUMN office_hours;
DROP TABLE sessions;
CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
DROP TABLE staff_roles;
DROP TABLE staff;

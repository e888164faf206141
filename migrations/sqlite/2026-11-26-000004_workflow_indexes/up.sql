-- Indexes the officer queues need at a province's volume (bench/README.md, "Workflow"; plans
-- measured with 1,000,000 dossiers).

-- "Hồ sơ tôi đang xử lý": the dossiers an agency holds at a step of the officer's roles, counted
-- and listed from the index alone (no table row is read to check the step, the specialist or the
-- receiving agency of the queue's scope).
CREATE INDEX dossiers_handler_step ON dossiers (handler_agency_id, handler_step, status, handler_staff_id, agency_id);

-- Finished dossiers of an agency, latest first: read in index order and stopped after a page
-- instead of sorting every finished dossier of the year.
CREATE INDEX dossiers_agency_finished ON dossiers (agency_id, finished_at, status);

-- Statistics for the planner: without them SQLite takes a new index for a selective one and
-- counts an agency's whole year to find its few new dossiers (seen with 1,000,000 dossiers).
ANALYZE dossiers;

-- The outbox keeps order per aggregate and kind (a dossier's mails and its national-portal
-- steps each in order, independently of the other): the claim's "no older unfinished row"
-- test reads this index.
DROP INDEX outbox_aggregate;
CREATE INDEX outbox_aggregate_kind ON outbox (aggregate_id, kind, created_at);
-- The operations page counts rows per kind and status.
CREATE INDEX outbox_kind_status ON outbox (kind, status, created_at);

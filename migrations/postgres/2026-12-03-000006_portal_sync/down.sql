DROP INDEX outbox_kind_status;
DROP INDEX outbox_aggregate_kind;
CREATE INDEX outbox_aggregate ON outbox (aggregate_id, created_at);

-- engramdb schema v5: idempotency keys of add requests, and a lookup of episodes by time
-- (an exact repeat of a message is found among the episodes said at the same time).
CREATE TABLE idempotency_keys (
    tenant_id   TEXT NOT NULL,  -- '' for the whole store's own view
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,  -- SHA-256 of the request the key first came with
    result      TEXT NOT NULL,  -- JSON: the ids of the episodes it stored, per item
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX memories_occurred ON memories (occurred_at);

-- engramdb schema v3: tenants (the outermost namespace) and API keys that map to them.
ALTER TABLE memories ADD COLUMN tenant_id TEXT;
CREATE INDEX memories_tenant ON memories (tenant_id, user_id, status);

ALTER TABLE memory_events ADD COLUMN tenant_id TEXT;
ALTER TABLE entities ADD COLUMN tenant_id TEXT;
ALTER TABLE relations ADD COLUMN tenant_id TEXT;
DROP INDEX entities_key;
CREATE INDEX entities_key ON entities (tenant_id, user_id, agent_id, key);

-- Only a SHA-256 digest of each key is kept; the key itself is shown once, at creation.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    digest     TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    admin      INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

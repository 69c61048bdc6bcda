-- engramdb schema v1 (PostgreSQL + pgvector): the same model as the SQLite store's
-- migrations 1-4 together. Times are timestamptz; metadata is jsonb.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE memories (
    rid           bigserial PRIMARY KEY,
    id            text NOT NULL UNIQUE,
    kind          text NOT NULL,
    text          text NOT NULL,
    reading       text,
    user_id       text,
    agent_id      text,
    session_id    text,
    tenant_id     text,
    role          text,
    speaker       text,
    metadata      jsonb NOT NULL DEFAULT '{}',
    occurred_at   timestamptz NOT NULL,
    valid_from    timestamptz,
    valid_to      timestamptz,
    recorded_at   timestamptz NOT NULL,
    expired_at    timestamptz,
    status        text NOT NULL DEFAULT 'active',
    version       integer NOT NULL DEFAULT 1,
    seq           integer,
    superseded_by text,
    importance    real NOT NULL DEFAULT 0.5,
    confidence    real NOT NULL DEFAULT 1.0,
    strength      real,
    last_used_at  timestamptz,
    expires_at    timestamptz,
    -- lexical index: the verbatim text and the resolved reading
    search        tsvector GENERATED ALWAYS AS (
                      to_tsvector('english', text || ' ' || coalesce(reading, ''))
                  ) STORED
);
CREATE INDEX memories_user ON memories (tenant_id, user_id, status);
CREATE INDEX memories_agent ON memories (tenant_id, agent_id, status);
CREATE INDEX memories_session ON memories (session_id, seq);
CREATE INDEX memories_search ON memories USING gin (search);

CREATE TABLE memory_sources (
    memory_id text NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    source_id text NOT NULL,
    position  integer NOT NULL,
    PRIMARY KEY (memory_id, source_id)
);
CREATE INDEX memory_sources_source ON memory_sources (source_id);

-- one row per memory with a vector; the column's dimension is set when a store is created
CREATE TABLE vectors (
    rid    bigint PRIMARY KEY REFERENCES memories (rid) ON DELETE CASCADE,
    vector vector NOT NULL
);

CREATE TABLE memory_events (
    id         bigserial PRIMARY KEY,
    memory_id  text NOT NULL,
    kind       text NOT NULL,
    actor      text NOT NULL,
    at         timestamptz NOT NULL,
    user_id    text,
    agent_id   text,
    session_id text,
    tenant_id  text,
    before     jsonb,
    after      jsonb
);
CREATE INDEX memory_events_memory ON memory_events (memory_id, id);

CREATE TABLE entities (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    kind       text NOT NULL,
    key        text NOT NULL DEFAULT '',
    user_id    text,
    agent_id   text,
    tenant_id  text,
    created_at timestamptz NOT NULL,
    aliases    jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX entities_key ON entities (tenant_id, user_id, agent_id, key);

CREATE TABLE entity_mentions (
    entity_id text NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    memory_id text NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    role      text NOT NULL DEFAULT 'named',
    PRIMARY KEY (entity_id, memory_id)
);
CREATE INDEX entity_mentions_memory ON entity_mentions (memory_id);

CREATE TABLE relations (
    id           text PRIMARY KEY,
    subject_id   text NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    predicate    text NOT NULL,
    object_id    text REFERENCES entities (id) ON DELETE SET NULL,
    object_value text,
    fact_id      text NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    user_id      text,
    agent_id     text,
    tenant_id    text,
    valid_from   timestamptz,
    valid_to     timestamptz
);
CREATE INDEX relations_subject ON relations (subject_id, predicate);
CREATE INDEX relations_object ON relations (object_id);
CREATE INDEX relations_fact ON relations (fact_id);

CREATE TABLE api_keys (
    id         text PRIMARY KEY,
    digest     text NOT NULL UNIQUE,
    prefix     text NOT NULL,
    tenant_id  text NOT NULL,
    name       text NOT NULL DEFAULT '',
    admin      boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

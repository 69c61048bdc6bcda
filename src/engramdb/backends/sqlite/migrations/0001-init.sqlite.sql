-- engramdb schema v1 (SQLite). Times are ISO 8601 strings in UTC, so they sort as times.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE memories (
    rid           INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: keys the ANN index
    id            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    text          TEXT NOT NULL,
    user_id       TEXT,
    agent_id      TEXT,
    session_id    TEXT,
    role          TEXT,
    speaker       TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',
    occurred_at   TEXT NOT NULL,
    valid_from    TEXT,
    valid_to      TEXT,
    recorded_at   TEXT NOT NULL,
    expired_at    TEXT,
    status        TEXT NOT NULL DEFAULT 'active',
    version       INTEGER NOT NULL DEFAULT 1,
    seq           INTEGER,
    superseded_by TEXT,
    importance    REAL NOT NULL DEFAULT 0.5,
    confidence    REAL NOT NULL DEFAULT 1.0
);
CREATE INDEX memories_user ON memories (user_id, status);
CREATE INDEX memories_agent ON memories (agent_id, status);
CREATE INDEX memories_session ON memories (session_id, seq);

-- Provenance: which memories a derived memory comes from.
CREATE TABLE memory_sources (
    memory_id TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    PRIMARY KEY (memory_id, source_id)
);
CREATE INDEX memory_sources_source ON memory_sources (source_id);

-- float32 little-endian blobs, unit length.
CREATE TABLE vectors (
    rid    INTEGER PRIMARY KEY REFERENCES memories (rid) ON DELETE CASCADE,
    vector BLOB NOT NULL
);

-- Lexical index; rowid = memories.rid.
CREATE VIRTUAL TABLE memory_fts USING fts5 (
    text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE memory_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    memory_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    user_id    TEXT,
    agent_id   TEXT,
    session_id TEXT,
    before     TEXT,
    after      TEXT
);
CREATE INDEX memory_events_memory ON memory_events (memory_id, id);

-- The entity graph (filled by extraction).
CREATE TABLE entities (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    user_id    TEXT,
    agent_id   TEXT,
    session_id TEXT,
    created_at TEXT NOT NULL,
    aliases    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX entities_user ON entities (user_id, name);

CREATE TABLE entity_mentions (
    entity_id TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    memory_id TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    PRIMARY KEY (entity_id, memory_id)
);
CREATE INDEX entity_mentions_memory ON entity_mentions (memory_id);

CREATE TABLE relations (
    id         TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    predicate  TEXT NOT NULL,
    object_id  TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    fact_id    TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    user_id    TEXT,
    agent_id   TEXT,
    session_id TEXT,
    valid_from TEXT,
    valid_to   TEXT
);
CREATE INDEX relations_subject ON relations (subject_id, predicate);
CREATE INDEX relations_object ON relations (object_id);

-- engramdb schema v2: resolved readings, mention roles, entity keys, literal relation objects.
ALTER TABLE memories ADD COLUMN reading TEXT;

ALTER TABLE entities ADD COLUMN key TEXT NOT NULL DEFAULT '';
CREATE INDEX entities_key ON entities (user_id, agent_id, key);

ALTER TABLE entity_mentions ADD COLUMN role TEXT NOT NULL DEFAULT 'named';

-- v1 never filled relations; v2 allows literal objects ("age" = "32").
DROP TABLE relations;
CREATE TABLE relations (
    id           TEXT PRIMARY KEY,
    subject_id   TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    predicate    TEXT NOT NULL,
    object_id    TEXT REFERENCES entities (id) ON DELETE SET NULL,
    object_value TEXT,
    fact_id      TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    user_id      TEXT,
    agent_id     TEXT,
    valid_from   TEXT,
    valid_to     TEXT
);
CREATE INDEX relations_subject ON relations (subject_id, predicate);
CREATE INDEX relations_object ON relations (object_id);
CREATE INDEX relations_fact ON relations (fact_id);

-- engramdb schema v8: every change to what the full-text index holds, with the transaction
-- that made it, so that a server process can keep an in-memory text index in step with the
-- table whichever process wrote (backends/postgres/textsidecar.py). A change is read once
-- every transaction older than it has ended (the snapshot's xmin), so one committed late
-- is never skipped. Rows older than an hour are trimmed by the readers.
CREATE TABLE text_changes (
    xid xid8        NOT NULL DEFAULT pg_current_xact_id(),
    rid bigint      NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX text_changes_xid ON text_changes (xid);
CREATE INDEX text_changes_at ON text_changes (at);

CREATE FUNCTION note_text_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO text_changes (rid) SELECT rid FROM changed;
    RETURN NULL;
END $$;

CREATE FUNCTION note_text_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO text_changes (rid) VALUES (OLD.rid);
    RETURN NULL;
END $$;

CREATE TRIGGER memories_text_added AFTER INSERT ON memories
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_text_added();
CREATE TRIGGER memories_text_removed AFTER DELETE ON memories
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_text_added();
CREATE TRIGGER memories_text_updated
    AFTER UPDATE OF text, reading, speaker, user_id, agent_id, session_id, tenant_id ON memories
    FOR EACH ROW WHEN (
        OLD.text IS DISTINCT FROM NEW.text OR OLD.reading IS DISTINCT FROM NEW.reading
        OR OLD.speaker IS DISTINCT FROM NEW.speaker OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.agent_id IS DISTINCT FROM NEW.agent_id
        OR OLD.session_id IS DISTINCT FROM NEW.session_id
        OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
    ) EXECUTE FUNCTION note_text_changed();

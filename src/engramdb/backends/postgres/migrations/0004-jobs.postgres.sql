-- engramdb schema v4: a durable queue of background (LLM) jobs.
CREATE TABLE jobs (
    id          text PRIMARY KEY,
    kind        text NOT NULL,
    user_id     text,
    agent_id    text,
    session_id  text,
    tenant_id   text,
    payload     text NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    error       text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX jobs_status ON jobs (status, created_at);

-- engramdb schema v7: a scope's memories of one kind are found without reading the others
-- (a search asks for the few gists of a scope of a million turns).
DROP INDEX memories_user;
DROP INDEX memories_agent;
DROP INDEX memories_tenant;
CREATE INDEX memories_user ON memories (user_id, status, kind);
CREATE INDEX memories_agent ON memories (agent_id, status, kind);
CREATE INDEX memories_tenant ON memories (tenant_id, user_id, status, kind);

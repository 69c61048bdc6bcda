-- engramdb schema v8: a scope's memories within a time window are found without reading the
-- rest of the scope (a search for "last May" counts and scores only that window).
CREATE INDEX memories_user_time ON memories (user_id, status, occurred_at);
CREATE INDEX memories_tenant_time ON memories (tenant_id, user_id, status, occurred_at);

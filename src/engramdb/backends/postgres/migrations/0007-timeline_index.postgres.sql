-- engramdb schema v7: a scope's turns in time order, and what a fact superseded, are found
-- without reading the rest of the scope (the timeline and a memory's lineage).
CREATE INDEX memories_user_time ON memories (tenant_id, user_id, status, occurred_at, rid);
CREATE INDEX memories_superseded_by ON memories (superseded_by) WHERE superseded_by IS NOT NULL;

-- engramdb schema v9: what a fact superseded is found without reading the other memories
-- (a memory's lineage, in the inspector and the API).
CREATE INDEX memories_superseded_by ON memories (superseded_by) WHERE superseded_by IS NOT NULL;

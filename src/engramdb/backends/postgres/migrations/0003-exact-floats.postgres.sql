-- engramdb schema v3 (PostgreSQL): importance, confidence and strength as double
-- precision, like SQLite's REAL, so a store copied between backends keeps exact values.
ALTER TABLE memories
    ALTER COLUMN importance TYPE double precision,
    ALTER COLUMN confidence TYPE double precision,
    ALTER COLUMN strength TYPE double precision;

-- engramdb schema v2 (PostgreSQL): index what the SQLite store indexes, the speaker's
-- name and the resolved reading (or the verbatim text when there is none), so the two
-- backends rank lexical matches alike; search_len counts the words of that text, as FTS5
-- does for BM25's document length.
DROP INDEX memories_search;
ALTER TABLE memories DROP COLUMN search;
ALTER TABLE memories ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', coalesce(speaker || ': ', '') || coalesce(nullif(reading, ''), text))
) STORED;
ALTER TABLE memories ADD COLUMN search_len integer GENERATED ALWAYS AS (
    greatest(1, coalesce(array_length(regexp_split_to_array(btrim(
        regexp_replace(coalesce(speaker || ': ', '') || coalesce(nullif(reading, ''), text),
                       '[^[:alnum:]]+', ' ', 'g')), ' '), 1), 1))
) STORED;
CREATE INDEX memories_search ON memories USING gin (search);

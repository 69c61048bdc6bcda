-- engramdb schema v4: retention (strength, last use) and expiry per memory.
ALTER TABLE memories ADD COLUMN strength REAL;
ALTER TABLE memories ADD COLUMN last_used_at TEXT;
ALTER TABLE memories ADD COLUMN expires_at TEXT;

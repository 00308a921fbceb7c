-- Timestamps stored as ISO 8601 text sort by their bytes, as in TinyDB and memory, whatever the
-- database's collation (en_US and other locales would ignore the '-' and ':' when comparing).
ALTER TABLE completions ALTER COLUMN submitted_at TYPE text COLLATE "C";
ALTER TABLE facts ALTER COLUMN submitted_at TYPE text COLLATE "C";
ALTER TABLE audit ADD COLUMN at text COLLATE "C";
UPDATE audit SET at = data->>'at';
ALTER TABLE audit ALTER COLUMN at SET NOT NULL;
CREATE INDEX audit_by_at ON audit (at, seq);

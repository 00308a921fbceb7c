-- Readings (读数) as rows of their own, so the dashboard's 30 days of charts read a few thousand
-- narrow rows instead of the report facts that hold them (1,250 facts, 1.4 MB of jsonb at a million
-- checklists a year: 70 ms warm, 250 ms with the database's cache cold). Filled by a statement
-- trigger from every report fact written (a save, a bulk load, a new fact version filled in).

CREATE TABLE report_readings (
    version text NOT NULL,
    record_id text COLLATE "C" NOT NULL REFERENCES completions (id),
    n integer NOT NULL,  -- its place among the fact's readings
    site text NOT NULL,
    day date NOT NULL,
    submitted_at text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    target_kind text COLLATE "C",
    target_name text COLLATE "C",
    inspector text,
    reading jsonb NOT NULL,
    PRIMARY KEY (version, record_id, n)
);
CREATE INDEX report_readings_by_day ON report_readings (version, site, day);

CREATE FUNCTION report_readings_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_readings
    SELECT f.version, f.record_id, e.n, f.site, f.day, f.submitted_at, f.seq, f.data->'target'->>0,
           f.data->'target'->>1, f.data->>'inspector', e.reading
    FROM added f, jsonb_array_elements(coalesce(f.data->'readings', '[]')) WITH ORDINALITY AS e(reading, n)
    WHERE f.kind = 'report'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER report_readings_add AFTER INSERT ON facts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION report_readings_add();

-- The facts stored before this migration.
INSERT INTO report_readings
SELECT f.version, f.record_id, e.n, f.site, f.day, f.submitted_at, f.seq, f.data->'target'->>0,
       f.data->'target'->>1, f.data->>'inspector', e.reading
FROM facts f, jsonb_array_elements(coalesce(f.data->'readings', '[]')) WITH ORDINALITY AS e(reading, n)
WHERE f.kind = 'report'
ON CONFLICT DO NOTHING;

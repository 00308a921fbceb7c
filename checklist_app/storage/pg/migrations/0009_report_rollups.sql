-- Report rollups, so a report reads a few rows per group instead of grouping a year of lines:
-- penalty lines summed per month and group (the ledger's earlier months, the dashboard's fines by
-- month), completed checklists per due slot (未完成), checklists summed per target and day (the
-- dashboard's compliance and back-fills) and failures per check and day (its most-failed checks).
--
-- A save does not touch them: it writes its typed rows as before, marked not yet folded. A fold
-- (fold_report_rollups(), run by the report pages, at most one at a time under an advisory lock,
-- up to ``batch`` rows of each table; `storage copy` runs it until nothing is left) marks unfolded
-- rows folded and adds them to the rollups in the same statement, so a row is in a rollup exactly
-- when it is marked folded. A report reads the rollups and the unfolded rows of its
-- range in one statement (one snapshot), so it is exact whether or not a fold ran.

ALTER TABLE report_records ADD COLUMN folded boolean NOT NULL DEFAULT true;  -- the rows below fill them
ALTER TABLE report_records ALTER COLUMN folded SET DEFAULT false;
CREATE INDEX report_records_unfolded ON report_records (version, site, day) WHERE NOT folded;
ALTER TABLE report_penalties ADD COLUMN folded boolean NOT NULL DEFAULT true;
ALTER TABLE report_penalties ALTER COLUMN folded SET DEFAULT false;
CREATE INDEX report_penalties_unfolded ON report_penalties (version, site, day) WHERE NOT folded;
ALTER TABLE missed_records ADD COLUMN folded boolean NOT NULL DEFAULT true;
ALTER TABLE missed_records ALTER COLUMN folded SET DEFAULT false;
CREATE INDEX missed_records_unfolded ON missed_records (version, site, day) WHERE NOT folded;

CREATE TABLE penalty_months (  -- report_penalties summed per (month, responsible, check, policy, rule)
    version text NOT NULL,
    site text NOT NULL,
    month text COLLATE "C" NOT NULL,  -- 'YYYY-MM'
    responsible text COLLATE "C" NOT NULL,
    responsible_id text COLLATE "C" NOT NULL,
    check_id text COLLATE "C" NOT NULL,
    policy_id text COLLATE "C" NOT NULL,
    fine double precision NOT NULL,
    fine_rule jsonb NOT NULL,  -- 'null' for a line without a stored rule
    sanctions text[] COLLATE "C" NOT NULL,
    lines integer NOT NULL,
    count bigint NOT NULL,
    amount double precision NOT NULL,
    first text[] COLLATE "C" NOT NULL,  -- (day, submitted_at, record id, item key) of its earliest line
    PRIMARY KEY (version, site, month, responsible, responsible_id, check_id, policy_id, fine, fine_rule,
                 sanctions)
);

CREATE TABLE done_slots (  -- missed_records per (day, kind, period, target, scope, back-fill)
    version text NOT NULL,
    site text NOT NULL,
    day date NOT NULL,
    kind text COLLATE "C" NOT NULL,
    period text COLLATE "C" NOT NULL,
    target_kind text COLLATE "C" NOT NULL,
    target_name text COLLATE "C" NOT NULL,
    scope text COLLATE "C" NOT NULL,
    backfill boolean NOT NULL,
    first_key text COLLATE "C" NOT NULL,  -- day, submitted_at and seq of its first record
    first_id text COLLATE "C" NOT NULL,
    checks text[] COLLATE "C" NOT NULL,  -- every check id on its records, sorted, once
    PRIMARY KEY (version, site, day, kind, period, target_kind, target_name, scope, backfill)
);

CREATE TABLE day_totals (  -- report_records summed per (day, target)
    version text NOT NULL,
    site text NOT NULL,
    day date NOT NULL,
    target_kind text COLLATE "C" NOT NULL,
    target_name text COLLATE "C" NOT NULL,
    checklists integer NOT NULL,
    passed bigint NOT NULL,
    applicable bigint NOT NULL,
    backfilled integer NOT NULL,
    PRIMARY KEY (version, site, day, target_kind, target_name)
);

CREATE TABLE failed_days (  -- report_records' failed check ids counted per (day, check)
    version text NOT NULL,
    site text NOT NULL,
    day date NOT NULL,
    check_id text COLLATE "C" NOT NULL,
    times integer NOT NULL,
    PRIMARY KEY (version, site, day, check_id)
);

CREATE FUNCTION fold_report_rollups(batch integer DEFAULT 20000) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    moved_rows integer := 0;
    n integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(7417018) THEN
        RETURN 0;  -- another fold is running; readers add the unfolded rows themselves
    END IF;
    WITH moved AS (
        UPDATE report_records SET folded = true WHERE NOT folded AND (version, record_id) IN
            (SELECT version, record_id FROM report_records WHERE NOT folded LIMIT batch)
        RETURNING version, site, day, target_kind, target_name, passed, applicable, backfill, failed
    ), totals AS (
        INSERT INTO day_totals AS t
        SELECT version, site, day, target_kind, target_name, count(*), sum(passed), sum(applicable),
               count(*) FILTER (WHERE backfill)
        FROM moved GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (version, site, day, target_kind, target_name)
        DO UPDATE SET checklists = t.checklists + excluded.checklists, passed = t.passed + excluded.passed,
                      applicable = t.applicable + excluded.applicable,
                      backfilled = t.backfilled + excluded.backfilled
    ), failures AS (
        INSERT INTO failed_days AS f
        SELECT version, site, day, c, count(*) FROM moved, unnest(failed) AS c GROUP BY 1, 2, 3, 4
        ON CONFLICT (version, site, day, check_id) DO UPDATE SET times = f.times + excluded.times
    )
    SELECT count(*) INTO n FROM moved;
    moved_rows := moved_rows + n;
    WITH moved AS (
        UPDATE report_penalties SET folded = true WHERE NOT folded AND (version, record_id, item_key) IN
            (SELECT version, record_id, item_key FROM report_penalties WHERE NOT folded LIMIT batch)
        RETURNING version, site, day, responsible, responsible_id, check_id, policy_id, fine, fine_rule,
                  sanctions, count, amount, submitted_at, record_id, item_key
    ), months AS (
        INSERT INTO penalty_months AS m
        SELECT version, site, to_char(day, 'YYYY-MM'), responsible, responsible_id, check_id, policy_id,
               fine, coalesce(fine_rule, 'null'::jsonb), sanctions, count(*), sum(count), sum(amount),
               min(ARRAY[day::text COLLATE "C", submitted_at, record_id, item_key])
        FROM moved GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
        ON CONFLICT (version, site, month, responsible, responsible_id, check_id, policy_id, fine,
                     fine_rule, sanctions)
        DO UPDATE SET lines = m.lines + excluded.lines, count = m.count + excluded.count,
                      amount = m.amount + excluded.amount, first = least(m.first, excluded.first)
    )
    SELECT count(*) INTO n FROM moved;
    moved_rows := moved_rows + n;
    WITH moved AS (
        UPDATE missed_records SET folded = true WHERE NOT folded AND (version, record_id) IN
            (SELECT version, record_id FROM missed_records WHERE NOT folded LIMIT batch)
        RETURNING version, site, day, kind, period, target_kind, target_name, scope, backfill, submitted_at,
                  seq, record_id, checks
    ), slots AS (
        INSERT INTO done_slots AS s
        SELECT a.version, a.site, a.day, a.kind, a.period, a.target_kind, a.target_name, a.scope, a.backfill,
               min((a.day::text || ' ' || a.submitted_at || ' ' || lpad(a.seq::text, 19, '0')) COLLATE "C"),
               (array_agg(a.record_id ORDER BY a.submitted_at, a.seq))[1],
               coalesce(array_agg(DISTINCT c ORDER BY c) FILTER (WHERE c IS NOT NULL), '{}')
        FROM moved a LEFT JOIN LATERAL unnest(a.checks) AS c ON true
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        ON CONFLICT (version, site, day, kind, period, target_kind, target_name, scope, backfill)
        DO UPDATE SET first_id = CASE WHEN excluded.first_key < s.first_key THEN excluded.first_id
                                      ELSE s.first_id END,
                      first_key = least(s.first_key, excluded.first_key),
                      checks = ARRAY(SELECT DISTINCT c FROM unnest(s.checks || excluded.checks) AS c ORDER BY c)
    )
    SELECT count(*) INTO n FROM moved;
    RETURN moved_rows + n;
END $$;

-- The rows stored before this migration (all marked folded above).
INSERT INTO day_totals
SELECT version, site, day, target_kind, target_name, count(*), sum(passed), sum(applicable),
       count(*) FILTER (WHERE backfill)
FROM report_records WHERE folded GROUP BY 1, 2, 3, 4, 5;

INSERT INTO failed_days
SELECT version, site, day, c, count(*) FROM report_records, unnest(failed) AS c WHERE folded
GROUP BY 1, 2, 3, 4;

INSERT INTO penalty_months
SELECT version, site, to_char(day, 'YYYY-MM'), responsible, responsible_id, check_id, policy_id, fine,
       coalesce(fine_rule, 'null'::jsonb), sanctions, count(*), sum(count), sum(amount),
       min(ARRAY[day::text COLLATE "C", submitted_at, record_id, item_key])
FROM report_penalties WHERE folded
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

INSERT INTO done_slots
SELECT a.version, a.site, a.day, a.kind, a.period, a.target_kind, a.target_name, a.scope, a.backfill,
       min((a.day::text || ' ' || a.submitted_at || ' ' || lpad(a.seq::text, 19, '0')) COLLATE "C"),
       (array_agg(a.record_id ORDER BY a.submitted_at, a.seq))[1],
       coalesce(array_agg(DISTINCT c ORDER BY c) FILTER (WHERE c IS NOT NULL), '{}')
FROM missed_records a LEFT JOIN LATERAL unnest(a.checks) AS c ON true WHERE a.folded
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

ANALYZE report_records, report_penalties, missed_records;  -- the planner learns that few are unfolded

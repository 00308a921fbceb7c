-- Scores summed per (score sheet, day, target), so a ranking reads one row per target and day
-- instead of every checklist's score of the week: the fold (migration 0009) now folds report_scores
-- too. ``total`` is the exact sum of the scores (numeric: the two-decimal scores add up without
-- rounding), ``record_id`` the checklist when the day has only one (a ranking links to it).

ALTER TABLE report_scores ADD COLUMN folded boolean NOT NULL DEFAULT true;  -- the rows below fill them
ALTER TABLE report_scores ALTER COLUMN folded SET DEFAULT false;
CREATE INDEX report_scores_unfolded ON report_scores (version, site, policy_id, day) WHERE NOT folded;

CREATE TABLE score_days (  -- report_scores summed per (policy, day, target)
    version text NOT NULL,
    site text NOT NULL,
    policy_id text COLLATE "C" NOT NULL,
    day date NOT NULL,
    target_kind text COLLATE "C" NOT NULL,
    target_name text COLLATE "C" NOT NULL,
    total numeric NOT NULL,
    records integer NOT NULL,
    record_id text COLLATE "C" NOT NULL,  -- '' when the day has several
    backfilled integer NOT NULL,
    PRIMARY KEY (version, site, policy_id, day, target_kind, target_name)
);

CREATE OR REPLACE FUNCTION fold_report_rollups(batch integer DEFAULT 20000) RETURNS integer LANGUAGE plpgsql AS $$
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
    moved_rows := moved_rows + n;
    WITH moved AS (
        UPDATE report_scores SET folded = true WHERE NOT folded AND (version, policy_id, record_id) IN
            (SELECT version, policy_id, record_id FROM report_scores WHERE NOT folded LIMIT batch)
        RETURNING version, site, policy_id, day, target_kind, target_name, score, record_id, backfill
    ), days AS (
        INSERT INTO score_days AS s
        SELECT version, site, policy_id, day, target_kind, target_name, sum(score::numeric), count(*),
               CASE WHEN count(*) = 1 THEN min(record_id) ELSE '' END, count(*) FILTER (WHERE backfill)
        FROM moved GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (version, site, policy_id, day, target_kind, target_name)
        DO UPDATE SET total = s.total + excluded.total, records = s.records + excluded.records,
                      record_id = '', backfilled = s.backfilled + excluded.backfilled
    )
    SELECT count(*) INTO n FROM moved;
    RETURN moved_rows + n;
END $$;


-- The rows stored before this migration (all marked folded above).
INSERT INTO score_days
SELECT version, site, policy_id, day, target_kind, target_name, sum(score::numeric), count(*),
       CASE WHEN count(*) = 1 THEN min(record_id) ELSE '' END, count(*) FILTER (WHERE backfill)
FROM report_scores WHERE folded GROUP BY 1, 2, 3, 4, 5, 6;

ANALYZE report_scores;

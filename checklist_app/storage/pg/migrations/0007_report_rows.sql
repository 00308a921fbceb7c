-- Report facts as typed rows the database sums (rankings, ledger, dashboard: GROUP BY, not Python).
-- Written from each 'report' fact in the same transaction as the fact; rows of the facts stored
-- before this migration are filled in below. ``version`` is the report fact's version.

CREATE TABLE report_records (  -- one per checklist: the dashboard's compliance, failures, back-fills
    version text NOT NULL,
    record_id text NOT NULL REFERENCES completions (id),
    site text NOT NULL DEFAULT 'default',
    day date NOT NULL,
    target_kind text COLLATE "C" NOT NULL,
    target_name text COLLATE "C" NOT NULL,
    passed integer NOT NULL,
    applicable integer NOT NULL,
    backfill boolean NOT NULL,
    has_readings boolean NOT NULL,
    failed text[] COLLATE "C" NOT NULL,
    PRIMARY KEY (version, record_id)
);
CREATE INDEX report_records_by_day ON report_records (version, site, day)
    INCLUDE (target_kind, target_name, passed, applicable, backfill);
CREATE INDEX report_records_with_readings ON report_records (version, site, day) WHERE has_readings;

CREATE TABLE report_scores (  -- one per daily checklist and score sheet it scored: the rankings
    version text NOT NULL,
    record_id text COLLATE "C" NOT NULL REFERENCES completions (id),
    policy_id text COLLATE "C" NOT NULL,
    site text NOT NULL DEFAULT 'default',
    day date NOT NULL,
    submitted_at text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    target_kind text COLLATE "C" NOT NULL,
    target_name text COLLATE "C" NOT NULL,
    score double precision NOT NULL,
    backfill boolean NOT NULL,
    PRIMARY KEY (version, policy_id, record_id)
);
CREATE INDEX report_scores_by_day ON report_scores (version, site, policy_id, day);

CREATE TABLE report_penalties (  -- one per penalty line: the ledger and the fines by month
    version text NOT NULL,
    record_id text COLLATE "C" NOT NULL REFERENCES completions (id),
    item_key text COLLATE "C" NOT NULL,
    n integer NOT NULL,  -- its place among the fact's penalties
    site text NOT NULL DEFAULT 'default',
    day date NOT NULL,
    submitted_at text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    responsible text COLLATE "C" NOT NULL,
    responsible_id text COLLATE "C" NOT NULL,
    check_id text COLLATE "C" NOT NULL,
    policy_id text COLLATE "C" NOT NULL,
    fine double precision NOT NULL,
    fine_rule jsonb,  -- the stored rule (NULL without one); grouped by its value
    sanctions text[] COLLATE "C" NOT NULL,
    count integer NOT NULL,
    amount double precision NOT NULL,
    record jsonb NOT NULL,  -- the fact's id, day, kind, target, inspector, submitted_at, backfill
    penalty jsonb NOT NULL,
    PRIMARY KEY (version, record_id, item_key)
);
CREATE INDEX report_penalties_by_day ON report_penalties (version, site, day);

CREATE TABLE missed_records (  -- one per checklist, from its 'missed' fact: 未完成 (due and not done)
    version text NOT NULL,
    record_id text COLLATE "C" NOT NULL REFERENCES completions (id),
    site text NOT NULL DEFAULT 'default',
    day date NOT NULL,
    submitted_at text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    kind text COLLATE "C" NOT NULL,
    period text COLLATE "C" NOT NULL,
    target_kind text COLLATE "C" NOT NULL,
    target_name text COLLATE "C" NOT NULL,
    scope text COLLATE "C" NOT NULL,
    backfill boolean NOT NULL,
    checks text[] COLLATE "C" NOT NULL,
    PRIMARY KEY (version, record_id)
);
CREATE INDEX missed_records_by_day ON missed_records (version, site, day);

-- The facts stored before this migration (every report version present).
INSERT INTO report_records
SELECT f.version, f.record_id, f.site, f.day, f.data->'target'->>0, f.data->'target'->>1,
       (f.data->>'passed')::integer, (f.data->>'applicable')::integer,
       coalesce((f.data->>'backfill')::boolean, false),
       jsonb_array_length(coalesce(f.data->'readings', '[]')) > 0,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(f.data->'failed', '[]')))
FROM facts f WHERE f.kind = 'report';

INSERT INTO report_scores
SELECT f.version, f.record_id, s.key, f.site, f.day, f.submitted_at, f.seq,
       f.data->'target'->>0, f.data->'target'->>1, s.value::double precision,
       coalesce((f.data->>'backfill')::boolean, false)
FROM facts f, jsonb_each_text(coalesce(f.data->'scores', '{}')) s
WHERE f.kind = 'report' AND f.data->>'kind' = 'daily';

INSERT INTO report_penalties
SELECT f.version, f.record_id, coalesce(p->>'key', ''), n, f.site, f.day, f.submitted_at, f.seq,
       p->>'responsible', coalesce(p->>'responsible_id', ''), p->>'check_id', coalesce(p->>'policy_id', ''),
       coalesce((p->>'fine')::double precision, 0),
       nullif(nullif(nullif(p->'fine_rule', 'null'::jsonb), '{}'::jsonb), '[]'::jsonb),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(p->'sanctions', '[]'))),
       (p->>'count')::integer, (p->>'amount')::double precision,
       jsonb_build_object('id', f.data->'id', 'day', f.data->'day', 'kind', f.data->'kind',
                          'target', f.data->'target', 'inspector', f.data->'inspector',
                          'submitted_at', f.data->'submitted_at', 'backfill', f.data->'backfill'),
       p
FROM facts f, jsonb_array_elements(coalesce(f.data->'penalties', '[]')) WITH ORDINALITY AS e(p, n)
WHERE f.kind = 'report'
ON CONFLICT DO NOTHING;

INSERT INTO missed_records
SELECT f.version, f.record_id, f.site, f.day, f.submitted_at, f.seq, f.data->>'kind', f.data->>'period',
       f.data->'target'->>0, f.data->'target'->>1, f.data->>'scope',
       coalesce((f.data->>'backfill')::boolean, false),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(f.data->'checks', '[]')))
FROM facts f WHERE f.kind = 'missed';

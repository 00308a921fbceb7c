-- A month's ledger reads its penalty lines as narrow typed columns. Sending each line's jsonb
-- (its record and its penalty, about 800 bytes) cost most of the ledger at a million checklists
-- a year: 7,700 lines took 770 ms to send and parse, their ids alone 23 ms. The record's fields
-- become generated columns, and the part of a penalty every line of its check and version shares
-- (texts, titles, the fine rule) is stored once in penalty_shared, named by the md5 of its text.

ALTER TABLE report_penalties
    ADD COLUMN kind text COLLATE "C" GENERATED ALWAYS AS (record->>'kind') STORED,
    ADD COLUMN target_kind text COLLATE "C" GENERATED ALWAYS AS (record->'target'->>0) STORED,
    ADD COLUMN target_name text COLLATE "C" GENERATED ALWAYS AS (record->'target'->>1) STORED,
    ADD COLUMN inspector text COLLATE "C" GENERATED ALWAYS AS (record->>'inspector') STORED,
    ADD COLUMN backfill boolean GENERATED ALWAYS AS ((record->>'backfill')::boolean) STORED,
    ADD COLUMN shared text COLLATE "C"
        GENERATED ALWAYS AS (md5((penalty - '{key,responsible,responsible_id,count,amount}'::text[])::text))
        STORED;

CREATE TABLE penalty_shared (  -- a penalty line without its own fields (key, who, count, amount)
    shared text COLLATE "C" PRIMARY KEY,
    data jsonb NOT NULL
);

CREATE FUNCTION penalty_shared_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO penalty_shared
    SELECT DISTINCT ON (shared) shared, penalty - '{key,responsible,responsible_id,count,amount}'::text[]
    FROM added ORDER BY shared
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER penalty_shared_add AFTER INSERT ON report_penalties
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION penalty_shared_add();

-- The rows stored before this migration.
INSERT INTO penalty_shared
SELECT DISTINCT ON (shared) shared, penalty - '{key,responsible,responsible_id,count,amount}'::text[]
FROM report_penalties ORDER BY shared
ON CONFLICT DO NOTHING;

-- How far each fact version has been filled in (by completions.seq), so a report never scans for gaps.
CREATE INDEX completions_by_seq ON completions (seq);
CREATE TABLE fact_versions (
    kind text NOT NULL,
    version text NOT NULL,
    filled_to bigint NOT NULL,  -- every record with seq <= filled_to has facts of this version
    PRIMARY KEY (kind, version)
);

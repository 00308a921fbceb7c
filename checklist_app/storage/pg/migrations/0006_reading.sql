-- Reading acknowledgements (已阅读并理解): append-only, one per person, policy and set of clause hashes.
CREATE TABLE reading_acks (
    n bigserial PRIMARY KEY,  -- the order they were given
    username text NOT NULL,
    policy_id text NOT NULL,
    clauses text NOT NULL,  -- the clauses asked for, {id: hash} as canonical JSON
    data jsonb NOT NULL,
    UNIQUE (username, policy_id, clauses)
);

-- Every store of the app, one table (or two) each. Site keys: one default site for now.

CREATE TABLE completions (
    seq bigserial NOT NULL,
    id text PRIMARY KEY,
    identity text NOT NULL UNIQUE,  -- exactly once per checklist: INSERT ... ON CONFLICT (identity)
    idempotency_key text NOT NULL,
    site text NOT NULL DEFAULT 'default',
    day date NOT NULL,
    submitted_at text NOT NULL,
    target_kind text,
    target_name text,
    inspector text,
    data jsonb NOT NULL
);
CREATE INDEX completions_by_day ON completions (site, day, submitted_at, seq);
CREATE INDEX completions_by_target ON completions (site, target_kind, target_name, day);
CREATE INDEX completions_by_inspector ON completions (site, inspector, day);

-- Report facts, written with their record in one transaction (a new fact version is filled in on first read).
CREATE TABLE facts (
    kind text NOT NULL,
    version text NOT NULL,
    record_id text NOT NULL REFERENCES completions (id),
    site text NOT NULL DEFAULT 'default',
    day date NOT NULL,
    submitted_at text NOT NULL,
    seq bigint NOT NULL,
    target_kind text,
    target_name text,
    inspector text,
    data jsonb NOT NULL,
    PRIMARY KEY (kind, version, record_id)
);
CREATE INDEX facts_by_day ON facts (kind, version, site, day, submitted_at, seq);

CREATE TABLE snapshots (
    key text PRIMARY KEY,
    data jsonb NOT NULL,
    pinned boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,  -- the entry's created_at, else when it was stored
    stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX snapshots_unpinned ON snapshots (created_at) WHERE NOT pinned;

CREATE TABLE started (
    key text PRIMARY KEY,
    snapshot_id text,
    data jsonb NOT NULL,
    opened_at timestamptz NOT NULL,  -- the pointer's opened_at, else when it was stored
    stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX started_by_snapshot ON started (snapshot_id);
CREATE INDEX started_by_opened ON started (opened_at);

CREATE TABLE users (
    username text PRIMARY KEY,
    data jsonb NOT NULL
);

CREATE TABLE login_attempts (
    key text PRIMARY KEY,
    entry jsonb NOT NULL,
    touched double precision NOT NULL  -- epoch seconds of the last failure or lock
);
CREATE INDEX login_attempts_by_touched ON login_attempts (touched);

CREATE TABLE audit (
    n bigserial PRIMARY KEY,  -- append order across the cluster
    month text NOT NULL,
    seq integer NOT NULL,
    day text NOT NULL,
    action text,
    data jsonb NOT NULL,
    UNIQUE (month, seq)
);
CREATE INDEX audit_by_day ON audit (day);
CREATE INDEX audit_by_action ON audit (action, n);

CREATE TABLE people (
    id text PRIMARY KEY,
    n bigserial NOT NULL,  -- the order people were added
    site text NOT NULL DEFAULT 'default',
    rev integer NOT NULL,
    employee_no_key text,
    username_key text,
    data jsonb NOT NULL
);
CREATE UNIQUE INDEX people_employee_no ON people (employee_no_key) WHERE employee_no_key <> '';
CREATE UNIQUE INDEX people_username ON people (username_key) WHERE username_key <> '';

CREATE TABLE people_links (
    ref text PRIMARY KEY,
    person_id text NOT NULL
);

-- Robots, the outbox and the sender's heartbeat, each one document changed under a row lock.
CREATE TABLE notify_parts (
    part text PRIMARY KEY,
    data jsonb NOT NULL
);

-- Handbook releases (what a second machine needs to serve one) and photos, in the database.
CREATE TABLE releases (
    number integer PRIMARY KEY,
    meta jsonb NOT NULL,  -- release.json: the Release record
    archive bytea NOT NULL,  -- tar.gz of handbook/, site/ and as-of/<day>/, unpacked by each server
    archive_sha256 text NOT NULL,  -- checked before unpacking
    stored_at timestamptz NOT NULL DEFAULT now()
);

-- The current release: one row, replaced by a publish or a rollback.
CREATE TABLE release_pointer (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    number integer NOT NULL REFERENCES releases (number),
    at text NOT NULL,
    by_user text NOT NULL,
    action text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- Photos of checklist items, by the SHA-256 of the uploaded bytes; sha256 is of the stored bytes.
CREATE TABLE photos (
    id text PRIMARY KEY,
    data bytea NOT NULL,
    sha256 text NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
);

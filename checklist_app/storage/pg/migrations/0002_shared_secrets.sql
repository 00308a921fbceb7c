-- Secrets every app server must share (the key that signs sessions), created once by whichever starts first.
CREATE TABLE shared_secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Corrective actions (整改), one per failed line, and the amounts decided within ranged fines (视情节).
CREATE TABLE actions (
    id text PRIMARY KEY,  -- <record id>#<item key>
    n bigserial NOT NULL,  -- the order they were opened
    site text NOT NULL DEFAULT 'default',
    rev integer NOT NULL,
    data jsonb NOT NULL
);

CREATE TABLE fine_decisions (
    ref text PRIMARY KEY,  -- <record id>#<item key>
    data jsonb NOT NULL
);

-- Corrective actions answered in SQL: the fields the pages filter on as typed columns, written
-- with every action (open_many, load, update) and filled here for the actions already stored.
-- Most actions are verified long ago, so the indexes of what is still waiting are partial.
ALTER TABLE actions
    ADD COLUMN kind text,
    ADD COLUMN target text,  -- '<kind>:<name>' of the checklist's target (its slug)
    ADD COLUMN scope text,
    ADD COLUMN status text NOT NULL DEFAULT '',
    ADD COLUMN found_on date,
    ADD COLUMN due_on date,
    ADD COLUMN department text,
    ADD COLUMN owner_role text,
    ADD COLUMN inspector text,
    ADD COLUMN responsible_id text,
    ADD COLUMN policy_id text,
    ADD COLUMN policy_title text;

UPDATE actions SET
    kind = data->>'kind',
    target = CASE WHEN jsonb_typeof(data->'target') = 'object'
        THEN coalesce(data->'target'->>'kind', 'None') || ':' || coalesce(data->'target'->>'name', 'None') END,
    scope = data->>'scope',
    status = coalesce(data->>'status', ''),
    found_on = CASE WHEN data->>'found_on' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN (data->>'found_on')::date END,
    due_on = CASE WHEN data->>'due_on' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN (data->>'due_on')::date END,
    department = data->>'department',
    owner_role = data->>'owner_role',
    inspector = data->>'inspector',
    responsible_id = data->>'responsible_id',
    policy_id = data->>'policy_id',
    policy_title = data->>'policy_title';

-- 复查 items of one checklist opened: same kind, target and checker, found before the day
CREATE INDEX actions_recheck ON actions (kind, target, scope, found_on) WHERE status <> 'verified';
-- the dashboard card: those not verified, the oldest first
CREATE INDEX actions_waiting ON actions (found_on, id) WHERE status <> 'verified';
-- the daily reminder and the overdue view: open ones by due day
CREATE INDEX actions_due ON actions (due_on) WHERE status = 'open';
-- a record's actions: ids starting '<record id>#', a range in byte order
CREATE INDEX actions_id_bytes ON actions ((id COLLATE "C"));
-- the list's choices and who may see them (an index-only scan), and its department filter
CREATE INDEX actions_facets ON actions (department, owner_role, inspector, responsible_id, policy_id, policy_title);

-- The ledger reads a month's penalty lines in the order they were committed (day, submitted_at,
-- saving order): an index in that order spares the sort (23 ms -> 7 ms for 7,730 lines at a million
-- checklists a year). It serves every range query the day index did, which it replaces.

CREATE INDEX report_penalties_in_order ON report_penalties (version, site, day, submitted_at, seq, n);
DROP INDEX report_penalties_by_day;

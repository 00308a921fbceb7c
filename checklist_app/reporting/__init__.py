"""Reports from completed checklists: scores, rankings, the penalty ledger, charts and exports."""

"""The report facts every completion store writes when a checklist is saved (see storage.FactKind)."""

from __future__ import annotations

from ..storage.base import FactKind
from . import facts, missed

REPORT = FactKind("report", facts.VERSION, facts.digest)  # scores, fines, readings, people
MISSED = FactKind("missed", missed.VERSION, missed.digest)  # what decides whether a due checklist was done
ALL = (REPORT, MISSED)

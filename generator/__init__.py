"""Parse and validate the Markdown handbook into one typed model used by the site and the app."""

from __future__ import annotations

from .loader import HandbookLoader, LoadResult, check_handbook, load_handbook
from .model import CheckItem, Clause, Frequency, Handbook, Location, Policy, Reference
from .problems import HandbookError, Problem

__all__ = [
    "CheckItem",
    "Clause",
    "Frequency",
    "Handbook",
    "HandbookError",
    "HandbookLoader",
    "LoadResult",
    "Location",
    "Policy",
    "Problem",
    "Reference",
    "check_handbook",
    "load_handbook",
]

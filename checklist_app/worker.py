"""What a server worker does once, after the app is made and before it takes its first request.

gunicorn starts every worker with ``checklist_app.wsgi``; its first request should cost what
any later one does, not the worker's start-up:

* the handbook model is loaded already (the release's, by ``create_app``); the checks of
  every target are worked out now (``generation.checks_for``, what every checklist and the
  未完成 report ask), and the checklists due in the last fortnight (what the dashboard, the
  rankings and 未完成 show first; later days are worked out when asked, a few ms each);
* the store folds what was saved since the last report into its rollups (PostgreSQL: in a
  new connection the first fold also prepares the fold function, 6–10 ms; then about 2 ms);
* the objects made so far (modules, templates, the model) are moved out of the garbage
  collector's scans (``gc.freeze``): they live as long as the worker, and a full collection
  that scans them all cost about 190 ms in the middle of a report page at a million
  checklists a year. When the worker switches to a new release it unfreezes them once, so
  the old model can be collected, and freezes again;
* the collector's youngest generation is collected after ``YOUNG_OBJECTS`` new objects
  instead of Python's 700: a ledger page at a million checklists a year makes about 100,000
  (its lines, all alive until the page is sent), which with the default cost one full
  collection per page, 45–65 ms of a 250 ms page. Measured on the ledger's own computation
  (medians of 5): 86–126 ms at 700, 85–104 ms at 20,000, 70–104 ms at 100,000, as with the
  collector off. Only garbage in reference cycles waits for a collection, so a worker holds
  at most a few MB more between collections.
"""

from __future__ import annotations

import datetime as dt
import gc

from flask import Flask

from .generation import checks_for, targets
from .reporting import missed

RECENT_DAYS = 14  # the dashboard's 未完成 card and a ranking's week look at most this far back
YOUNG_OBJECTS = 100_000  # gc threshold of generation 0 in a server worker (Python's default: 700)

_state = {"frozen": False}


def ready(app: Flask) -> None:
    """Warm the per-handbook caches and freeze the start-up objects; call once per worker."""
    with app.app_context():
        handbook = app.extensions["checklist_handbook"].state.handbook
        if handbook is not None:
            warm(handbook, app.extensions["checklist_clock"].today())
        app.extensions["checklist_storage"].completions.warm()
    freeze()


def warm(handbook, today: dt.date | None = None) -> None:
    """Work out what requests on this model ask first: each target's checks, recent due checklists."""
    for target in targets(handbook):
        checks_for(handbook, target)
    if today is not None:
        missed.warm(handbook, today - dt.timedelta(days=RECENT_DAYS - 1), today)


def freeze() -> None:
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, older, oldest)
    _state["frozen"] = True


def switched(handbook) -> None:
    """A new model is in use: let the old one be collected, warm the new one, freeze again."""
    warm(handbook)  # its due checklists are worked out when first asked
    if _state["frozen"]:
        gc.unfreeze()
        freeze()

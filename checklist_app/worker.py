"""What a server worker does once, after the app is made and before it takes its first request.

gunicorn starts every worker with ``checklist_app.wsgi``; its first request should cost what
any later one does, not the worker's start-up:

* the handbook model is loaded already (the release's, by ``create_app``); the checks of
  every target are worked out now (``generation.checks_for``, what every checklist and the
  未完成 report ask);
* the objects made so far (modules, templates, the model) are moved out of the garbage
  collector's scans (``gc.freeze``): they live as long as the worker, and a full collection
  that scans them all cost about 190 ms in the middle of a report page at a million
  checklists a year. When the worker switches to a new release it unfreezes them once, so
  the old model can be collected, and freezes again.
"""

from __future__ import annotations

import gc

from flask import Flask

from .generation import checks_for, targets

_state = {"frozen": False}


def ready(app: Flask) -> None:
    """Warm the per-handbook caches and freeze the start-up objects; call once per worker."""
    with app.app_context():
        handbook = app.extensions["checklist_handbook"].state.handbook
        if handbook is not None:
            warm(handbook)
    freeze()


def warm(handbook) -> None:
    """Work out what every request on this model asks first (the checks of each target)."""
    for target in targets(handbook):
        checks_for(handbook, target)


def freeze() -> None:
    gc.collect()
    gc.freeze()
    _state["frozen"] = True


def switched(handbook) -> None:
    """A new model is in use: let the old one be collected, warm the new one, freeze again."""
    warm(handbook)
    if _state["frozen"]:
        gc.unfreeze()
        freeze()

"""The WSGI entry point for gunicorn: ``gunicorn checklist_app.wsgi:app``."""

from __future__ import annotations

import sys

from . import create_app, worker

try:
    app = create_app()
except SystemExit as exc:
    # A setting that cannot work: say why once and stop gunicorn (exit code 4 is its
    # "app failed to load"), rather than let it restart the workers for ever.
    if not isinstance(exc.code, str):
        raise
    print(exc.code, file=sys.stderr, flush=True)
    raise SystemExit(4) from None

worker.ready(app)  # a worker's first request costs what any other does (see checklist_app/worker.py)

"""The checklist app: daily and weekly inspection checklists generated from the handbook."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from flask import Flask, g
from jinja2 import FileSystemBytecodeCache

from generator.render import fmt_number

from . import compression, database, housekeeping, publishing, security, signatures
from . import config as settings
from .clock import from_settings, shown
from .extensions import csrf
from .handbook_source import HandbookSource
from .permissions import can, manages_anything
from .scoring import count_label, fine_amount, is_tiered, item_loss
from .services import day_of, locked_until
from .strings import t


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then ``CHECKLIST_*`` environment variables, then ``test_config``."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("CHECKLIST_INSTANCE_PATH") or str(settings.PROJECT / "instance"),
    )
    app.config.from_mapping(settings.defaults())
    try:
        settings.from_environment(app.config)
        if test_config:
            app.config.from_mapping(test_config)
        if not app.config.get("SECRET_KEY") and not app.config.get("DATABASE_URL"):
            app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)  # else shared via the database
    except settings.SettingError as exc:
        raise SystemExit(str(exc)) from None
    if not app.config.get("DATA_DIR"):
        app.config["DATA_DIR"] = str(Path(app.instance_path) / "data")
    if not app.config.get("RELEASES_DIR"):
        app.config["RELEASES_DIR"] = str(Path(app.config["DATA_DIR"]).parent / "releases")
    register_extensions(app)
    housekeeping.init_app(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _template_cache(app: Flask) -> None:
    """Compiled templates on disk beside DATA_DIR: a new worker loads them instead of compiling (~0.3 s).

    Jinja keys each entry by the template's source, so an edited template is compiled again.
    """
    folder = Path(app.config["DATA_DIR"]).parent / "cache" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a read-only folder: compile in memory as before
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def register_extensions(app: Flask) -> None:
    csrf.init_app(app)
    try:
        clock = app.config.get("CLOCK") or from_settings(app.config["TIMEZONE"], app.config["FROZEN_TIME"])
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    app.extensions["checklist_clock"] = clock
    app.extensions["checklist_storage"] = database.open_app_storage(app)
    releases = database.open_app_releases(app, app.extensions["checklist_storage"])
    app.extensions["checklist_releases"] = releases
    if releases.pointer() is None and not app.extensions.get("checklist_schema_problem"):
        # A fresh machine: the draft becomes release 1 (`make run` does this before starting);
        # on a database without its tables yet, at the first start after `db upgrade`.
        publishing.publish_first(
            releases,
            app.extensions["checklist_storage"],
            clock,
            Path(app.config["HANDBOOK_DIR"]),
            Path(app.config["MKDOCS_CONFIG"]),
            Path(app.config["SITE_DIR"]),
        )
    source = HandbookSource(releases, app.config["HANDBOOK_DIR"], float(app.config["RELOAD_INTERVAL"]), clock)
    app.extensions["checklist_handbook"] = source
    _template_cache(app)
    app.jinja_env.globals.update(t=t, uuid=lambda: uuid.uuid4().hex, loss=item_loss, fine_amount=fine_amount)
    app.jinja_env.globals.update(count_label=count_label, is_tiered=is_tiered)
    app.jinja_env.globals.update(signature_label=signatures.label)
    app.jinja_env.globals.update(
        can=lambda action, obj=None: can(g.user, action, obj),
        manages_anything=lambda: manages_anything(g.user),
    )
    app.jinja_env.filters["num"] = fmt_number
    app.jinja_env.filters["when"] = lambda value: shown(clock, value)
    app.jinja_env.globals["locked_until"] = lambda item, snapshot: locked_until(item, day_of(snapshot), clock)
    app.jinja_env.globals["opens_at_ms"] = lambda snapshot, at: int(
        dt.datetime.combine(day_of(snapshot), dt.time.fromisoformat(at), tzinfo=clock.tz).timestamp() * 1000
    )
    security.init_app(app)
    compression.init_app(app)


def register_blueprints(app: Flask) -> None:
    from . import (
        actions_views,
        admin,
        auth,
        changes_view,
        checklists,
        evidence,
        handbook_site,
        offline,
        people_admin,
        printing,
        publish_admin,
        reading_views,
        reports,
        reviews,
        tls,
    )
    from .notify import views as notify_views

    modules = (
        auth,
        checklists,
        actions_views,
        admin,
        people_admin,
        handbook_site,
        printing,
        reports,
        notify_views,
        offline,
        evidence,
        tls,
    )
    for module in (*modules, publish_admin, changes_view, reading_views, reviews):
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    from . import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from . import cli, notify, release_cli, tls

    cli.init_app(app)
    database.init_app(app)
    release_cli.init_app(app)
    notify.init_app(app)
    tls.init_app(app)

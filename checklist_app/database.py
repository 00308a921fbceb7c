"""The app's storage as the settings choose it, and ``flask db upgrade`` for PostgreSQL.

With ``DATABASE_URL`` set, every store lives in that PostgreSQL database: each
worker process opens one connection pool here (the app factory) and closes it at
exit, and the key that signs sessions is kept in the database (unless
``SECRET_KEY`` is set), so several app servers accept each other's sign-ins.
A database whose schema is behind the code (``db upgrade`` not run yet) does not
stop the start, so that ``flask --app checklist_app db upgrade`` itself can run;
until it has, every request is answered 503 with the fix, in Chinese.
"""

from __future__ import annotations

import atexit
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import config as settings
from .storage import Storage, open_storage
from .strings import t

db = AppGroup("db", help="PostgreSQL schema: upgrade (apply the migrations this version needs), version.")
storage_group = AppGroup("storage", help="Move the data: copy --from <TinyDB folder|URL> --to <URL|folder>.")


def database_url(config) -> str:
    """The PostgreSQL URL in the settings, or "" (SystemExit in Chinese if it is not one)."""
    url = (config.get("DATABASE_URL") or "").strip()
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise SystemExit(t("db.bad_url", url=url[:80]))
    return url


def open_app_storage(app: Flask) -> Storage:
    """Open the storage the settings name: PostgreSQL if ``DATABASE_URL`` is set, else ``STORAGE``."""
    url = database_url(app.config)
    photos = photo_store(app.config, url)
    if not url:
        return open_storage(app.config["STORAGE"], app.config["DATA_DIR"])
    import psycopg
    from psycopg_pool import PoolTimeout

    from .storage.pg import SchemaError, latest_version

    app.config["STORAGE"] = "postgresql"
    try:
        storage = open_storage(
            "postgresql",
            app.config["DATA_DIR"],
            database_url=url,
            check=False,
            max_size=int(app.config["DATABASE_POOL_SIZE"]),
            photos=photos,
        )
    except (psycopg.Error, PoolTimeout) as exc:
        raise SystemExit(t("db.unreachable", url=_safe(url), error=str(exc).strip()[:200])) from None
    atexit.register(storage.close)
    try:
        storage.database.check_schema()
        if not app.config.get("SECRET_KEY"):
            # One key for every app server on this database: a session signed by one is valid on all.
            app.config["SECRET_KEY"] = storage.database.shared_secret("session")
    except SchemaError:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)
        have = storage.database.schema_version()
        missing = storage.database.missing()
        gaps = t("db.schema_gaps", missing="、".join(map(str, missing))) if have == latest_version() else ""
        problem = t("db.schema", have=have, want=latest_version(), gaps=gaps)
        app.extensions["checklist_schema_problem"] = problem
        print(problem, file=sys.stderr, flush=True)

        @app.before_request
        def schema_gate():
            if app.extensions.get("checklist_schema_problem") is None:
                return None
            try:
                storage.database.check_schema()
            except SchemaError:
                return problem, 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "30"}
            app.extensions["checklist_schema_problem"] = None  # upgraded meanwhile
            return None

    return storage


def open_app_releases(app: Flask, storage: Storage):
    """The release store: in the database with PostgreSQL (unpacked into ``RELEASES_DIR``), else files there.

    A server switching to PostgreSQL brings its releases folder into an empty database once.
    """
    from .storage.releases import FileReleaseStore

    files = FileReleaseStore(app.config["RELEASES_DIR"])
    if storage.backend != "postgresql":
        return files
    from .storage.pg.releases import PostgresReleaseStore

    releases = PostgresReleaseStore(storage.database, app.config["RELEASES_DIR"])
    if not app.extensions.get("checklist_schema_problem"):
        adopted = releases.adopt(files)
        if adopted:
            app.logger.info("stored %d releases of %s in the database", adopted, files.root)
    return releases


def photo_store(config, url: str) -> str:
    """Where photos live: ``PHOTO_STORE`` (database|files), by default the database when there is one.

    SystemExit in Chinese for another value, or ``database`` without ``DATABASE_URL``.
    """
    from .storage import PHOTO_STORES

    chosen = (config.get("PHOTO_STORE") or "").strip().lower() or ("database" if url else "files")
    if chosen not in PHOTO_STORES:
        raise SystemExit(t("db.bad_photo_store", value=chosen[:40]))
    if chosen == "database" and not url:
        raise SystemExit(t("db.photo_store_needs_url"))
    return chosen


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    head, at, tail = url.partition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"


@db.command("upgrade")
def upgrade_command() -> None:
    """Apply the schema migrations the database lacks (safe to run twice, or on several machines)."""
    from .storage.pg import latest_version, upgrade

    url = database_url(current_app.config)
    if not url:
        raise click.ClickException(t("db.not_postgres"))
    for migration in upgrade(url):
        click.echo(t("db.upgraded", version=migration.version, name=migration.name))
    current_app.extensions.pop("checklist_schema_problem", None)
    click.echo(t("db.current", version=latest_version()))


@db.command("version")
def version_command() -> None:
    """Print the schema version of the database."""
    url = database_url(current_app.config)
    if not url:
        raise click.ClickException(t("db.not_postgres"))
    click.echo(current_app.extensions["checklist_storage"].database.schema_version())


def open_location(spec: str, *, source: bool) -> Storage:
    """The storage a ``--from``/``--to`` names: a ``postgresql://`` URL or a TinyDB data folder."""
    from pathlib import Path

    from .storage.pg import SchemaError

    if spec.startswith(("postgresql://", "postgres://")):
        import psycopg

        try:
            return open_storage("postgresql", "", database_url=spec, max_size=2)
        except SchemaError as exc:
            raise click.ClickException(str(exc)) from None
        except psycopg.Error as exc:
            raise click.ClickException(
                t("db.unreachable", url=_safe(spec), error=str(exc).strip()[:200])
            ) from None
    if "://" in spec:
        raise click.ClickException(t("copy.bad_source", value=spec[:80]))
    if source and not (Path(spec) / "completions").is_dir() and not (Path(spec) / "users.json").exists():
        raise click.ClickException(t("copy.missing_dir", path=spec))
    return open_storage("tinydb", spec)


@storage_group.command("copy")
@click.option("--from", "source_spec", required=True, help="TinyDB data folder or postgresql:// URL")
@click.option("--to", "target_spec", required=True, help="postgresql:// URL or TinyDB data folder")
def copy_command(source_spec: str, target_spec: str) -> None:
    """Copy everything; run it again to resume. Exit status 1 unless counts and hashes agree."""
    from .storage.copy import copy_storage

    if source_spec.rstrip("/") == target_spec.rstrip("/"):
        raise click.ClickException(t("copy.same"))
    source = open_location(source_spec, source=True)
    target = open_location(target_spec, source=False)
    try:
        parts = copy_storage(
            source,
            target,
            lambda p: click.echo(
                t("copy.part", part=p.name, source=p.source, copied=p.copied, target=p.target)
            ),
        )
    finally:
        source.close()
        target.close()
    bad = [p for p in parts if not p.ok]
    for part in bad:
        click.echo(
            t(
                "copy.mismatch",
                part=part.name,
                source=part.source,
                source_hash=part.source_hash,
                target=part.target,
                target_hash=part.target_hash,
            ),
            err=True,
        )
    if bad:
        raise SystemExit(1)
    click.echo(t("copy.verified", hash=" ".join(f"{p.name}={p.source_hash}" for p in parts)))


def init_app(app: Flask) -> None:
    app.cli.add_command(db)
    app.cli.add_command(storage_group)

"""Command line for policy owners: `publish` (`make publish`) and `rollback` (`make rollback`).

The same use cases as 管理 → 发布 (:mod:`.publishing`), audited with the operating-system user
as actor (or the account named by ``--by``).
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import publishing
from .extensions import clock, storage
from .strings import t


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(publish)
    app.cli.add_command(rollback)


def _releases():
    return current_app.extensions["checklist_releases"]


def _actor(username: str | None) -> dict:
    if username:
        user = storage().users.get(username)
        if user is None:
            raise click.ClickException(t("publish.cli.no_user", username=username))
        return user
    name = getpass.getuser()
    return {"username": f"cli:{name}", "display_name": t("publish.cli.actor", name=name)}


@click.command("publish")
@click.option("--note", default="", help="发布说明（写进发布记录和变更记录）")
@click.option("--by", "username", default=None, help="以哪个账号的名义发布（默认：操作系统用户）")
@click.option("--if-none", is_flag=True, help="只在还没有任何发布版本时发布（make run 用）")
@with_appcontext
def publish(note: str, username: str | None, if_none: bool) -> None:
    """Validate the draft handbook, build the site and publish both as the next release."""
    config = current_app.config
    releases = _releases()
    if if_none:
        if releases.pointer() is not None:
            return
        release = publishing.publish_first(
            releases,
            storage(),
            clock(),
            Path(config["HANDBOOK_DIR"]),
            Path(config["MKDOCS_CONFIG"]),
            Path(config["SITE_DIR"]),
            build_site=True,
        )
        if release is None:
            raise click.ClickException(t("publish.cli.first_failed"))
        click.echo(t("publish.first", number=release.number, draft=config["HANDBOOK_DIR"]))
        return
    try:
        release = publishing.publish(
            releases,
            storage(),
            clock(),
            Path(config["HANDBOOK_DIR"]),
            Path(config["MKDOCS_CONFIG"]),
            _actor(username),
            note,
        )
    except publishing.PublishRefused as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(exc.message) from None
    click.echo(t("publish.cli.done", number=release.number, n=len(release.policies)))


@click.command("rollback")
@click.option("--to", "number", type=int, default=None, help="回到第几版（默认：当前版本的上一版）")
@click.option("--by", "username", default=None, help="以哪个账号的名义回滚（默认：操作系统用户）")
@with_appcontext
def rollback(number: int | None, username: str | None) -> None:
    """Make an earlier release current again: its site and its checklists."""
    releases = _releases()
    current = releases.pointer()
    if current is None:
        raise click.ClickException(t("publish.cli.nothing"))
    if number is None:
        earlier = [n for n in releases.numbers() if n < current.number]
        if not earlier:
            raise click.ClickException(t("publish.cli.no_earlier", number=current.number))
        number = earlier[-1]
    try:
        publishing.rollback(releases, storage(), clock(), number, _actor(username))
    except KeyError:
        raise click.ClickException(t("publish.cli.unknown", number=number)) from None
    click.echo(t("publish.cli.rolled_back", number=number, current=current.number))

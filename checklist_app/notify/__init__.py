"""Notifications where the team talks: group robots of 企业微信, 钉钉 and 飞书.

Commands (``flask --app checklist_app notify …``):

* ``run``: the sender process (``make run`` starts one beside gunicorn);
* ``daily`` / ``weekly``: queue today's rankings (or the week's average ranking)
  and deliver the outbox now, for cron; safe to run many times and in parallel;
* ``send``: deliver what is queued once.
"""

from __future__ import annotations

import signal

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from ..extensions import clock, handbook_source, storage
from ..strings import t
from . import outbox, sender

group = AppGroup(
    "notify", help="Group-chat notifications: run the sender, or send the daily/weekly rankings."
)


def init_app(app: Flask) -> None:
    """Register the ``notify`` commands (the 管理 → 通知 pages are ``notify.views.bp``).

    The schedule settings are checked here, so a bad one stops the start (in Chinese,
    naming it) instead of failing later in the sender or on the page.
    """
    try:
        outbox.Settings.from_config(app.config)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    app.cli.add_command(group)


def settings() -> outbox.Settings:
    """The notification settings of the current app; a bad one stops the command in Chinese."""
    try:
        return outbox.Settings.from_config(current_app.config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _handbook():
    handbook = handbook_source().state.handbook
    if handbook is None:
        raise click.ClickException(t("notify.cli.no_handbook"))
    return handbook


def _deliver() -> int:
    return outbox.deliver(storage(), clock(), settings(), sender.owner_name())


@group.command("daily")
@with_appcontext
def daily() -> None:
    """Queue today's ranking and the week-to-date ranking, then deliver (cron at 18:00)."""
    queued = outbox.plan_daily(storage(), _handbook(), clock(), settings(), clock().today())
    click.echo(t("notify.cli.queued", queued=queued, sent=_deliver()))


@group.command("weekly")
@with_appcontext
def weekly() -> None:
    """Queue this week's average ranking with reward and fine, then deliver (cron on Saturday)."""
    queued = outbox.plan_weekly(storage(), _handbook(), clock(), settings(), clock().today())
    click.echo(t("notify.cli.queued", queued=queued, sent=_deliver()))


@group.command("send")
@with_appcontext
def send() -> None:
    """Deliver what is queued and due now, once."""
    click.echo(t("notify.cli.sent", sent=_deliver()))


@group.command("run")
@with_appcontext
def run() -> None:
    """The sender process: plans the scheduled and event messages and delivers them, for ever."""
    # `make run` starts it with `&`, and a shell's background job ignores Ctrl-C: take it back,
    # so Ctrl-C stops the sender together with the web server.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    config = current_app.config
    source = handbook_source()
    poll = float(config["NOTIFY_POLL_SECONDS"])
    sender.run(
        storage(),
        lambda: source.refresh().handbook if hasattr(source, "refresh") else source.state.handbook,
        clock(),
        settings(),
        config["DATA_DIR"],
        poll,
        lambda text: click.echo(text, err=True),
    )

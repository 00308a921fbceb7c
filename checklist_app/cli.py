"""Command line for operators: `create-admin` (`make admin`) and `users add|edit|disable|enable|…|list`.

The same use cases as 管理 → 账号 (``accounts.py``), audited with the system as
actor and the note 命令行. Passwords come from an environment variable
(``ADMIN_PASSWORD`` / ``USER_PASSWORD``) or a hidden prompt, never an option
(options end up in the shell history and the process list).
"""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from . import accounts, people
from .extensions import clock, handbook_source, storage
from .passwords import MIN_LENGTH
from .permissions import PERMISSIONS
from .services import ServiceError
from .strings import t

users = AppGroup("users", help="Manage accounts: add, edit, disable, enable, reset-password, list.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_admin)
    app.cli.add_command(users)


def _note() -> str:
    return t("account.note.cli")


def _roles() -> list[str]:
    state = handbook_source().state
    return [r.name for r in state.handbook.reference.roles] if state.handbook else []


def _password(variable: str, label: str) -> str:
    """The password from ``$variable``, else asked twice without echo."""
    password = os.environ.get(variable)
    if password:
        return password
    prompt = t("cli.password", label=label, n=MIN_LENGTH)
    password = click.prompt(prompt, hide_input=True, default="", show_default=False)
    if click.prompt(t("cli.password.repeat"), hide_input=True, default="", show_default=False) != password:
        raise click.ClickException(t("cli.password.mismatch"))
    return password


def _run(use_case, *args, **kwargs):
    """Call an account use case; a refusal becomes a Chinese error and exit status 1."""
    try:
        return use_case(storage(), clock(), None, *args, **kwargs)
    except ServiceError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None


@click.command("create-admin")
@click.option("--username", default=lambda: os.environ.get("ADMIN_USER"), help="default: $ADMIN_USER")
@with_appcontext
def create_admin(username: str | None) -> None:
    """Create an admin account; asks for what $ADMIN_USER/$ADMIN_PASSWORD do not give.

    An existing username is refused (use `users reset-password` or `users edit`).
    """
    username = username or click.prompt("管理员用户名")
    password = _password("ADMIN_PASSWORD", t("login.password"))
    _run(
        accounts.create,
        username=username,
        password=password,
        permission="admin",
        display_name=username,
        roles=_roles(),
        note=_note(),
    )
    click.echo(t("cli.admin_created", username=username))


PERMISSION = click.Choice(PERMISSIONS)


@users.command("add")
@click.option("--username", required=True, help="2–32 letters, digits, . _ -")
@click.option("--display-name", default="", help="the person's name (default: the username)")
@click.option("--permission", type=PERMISSION, default="inspector", show_default=True)
@click.option("--role", default="", help="a role from the handbook's reference.yml")
@click.option("--must-change/--no-must-change", default=False, help="a new password at first sign-in")
def users_add(username, display_name, permission, role, must_change) -> None:
    """Add an account (password from $USER_PASSWORD or a prompt); an existing username is refused."""
    password = _password("USER_PASSWORD", t("admin.users.initial_password"))
    _run(
        accounts.create,
        username=username,
        password=password,
        permission=permission,
        role=role,
        display_name=display_name,
        must_change_password=must_change,
        roles=_roles(),
        note=_note(),
    )
    click.echo(t("cli.created", username=username))


@users.command("edit")
@click.argument("username")
@click.option("--display-name", default=None)
@click.option("--permission", type=PERMISSION, default=None)
@click.option("--role", default=None, help='a role from reference.yml; "" for none')
def users_edit(username, display_name, permission, role) -> None:
    """Change an account's name, permission or role (only what is given).

    The link to a person is set on the person, in the staff directory (人员名册 → 账号).
    """
    if display_name is None and permission is None and role is None:
        raise click.ClickException(t("cli.nothing_to_edit"))
    _run(
        accounts.edit,
        username,
        display_name=display_name,
        permission=permission,
        role=role,
        roles=_roles(),
        note=_note(),
    )
    click.echo(t("account.saved", username=username))


@users.command("disable")
@click.argument("username")
def users_disable(username) -> None:
    """Disable an account: no more sign-ins, and its open sessions end at once."""
    _run(accounts.disable, username, note=_note())
    click.echo(t("account.disabled", username=username))


@users.command("enable")
@click.argument("username")
def users_enable(username) -> None:
    """Enable a disabled account again."""
    _run(accounts.enable, username, note=_note())
    click.echo(t("account.enabled", username=username))


@users.command("reset-password")
@click.argument("username")
def users_reset_password(username) -> None:
    """Set a temporary password ($USER_PASSWORD or a prompt): sessions end, a new one is due at sign-in."""
    password = _password("USER_PASSWORD", t("admin.users.temp_password"))
    _run(accounts.reset_password, username, password, note=_note())
    click.echo(t("account.password_reset", username=username))


@users.command("list")
def users_list() -> None:
    """Every account, one a line, tab-separated."""
    found = storage().users.all()
    if not found:
        click.echo(t("cli.no_users"))
        return
    click.echo(t("cli.list.header"))
    linked = people.accounts_linked(storage())
    for user in found:
        status = [t("admin.users.disabled") if user.get("disabled") else t("admin.users.active")]
        if user.get("must_change_password"):
            status.append(t("admin.users.must_change"))
        fields = (
            user["username"],
            user.get("display_name", ""),
            t("perm." + user.get("permission", "")),
            user.get("role") or "—",
            linked[user["username"]].name if user["username"] in linked else "—",
            "，".join(status),
        )
        click.echo("\t".join(fields))

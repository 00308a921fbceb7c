"""Command line: create the first admin (``make admin``)."""

from __future__ import annotations

import getpass
import os

import click
from flask import Flask

from .auth import make_user
from .extensions import storage


def init_app(app: Flask) -> None:
    """Register the commands."""

    @app.cli.command("create-admin")
    @click.option("--username", default=lambda: os.environ.get("ADMIN_USER"), help="default: $ADMIN_USER")
    def create_admin(username: str | None) -> None:
        """Create (or reset) an admin account; asks for what $ADMIN_USER/$ADMIN_PASSWORD do not give."""
        username = username or click.prompt("管理员用户名")
        password = os.environ.get("ADMIN_PASSWORD")
        if not password:
            password = getpass.getpass("密码（至少 8 位）：")
            if getpass.getpass("再输一次：") != password:
                raise click.ClickException("两次输入的密码不一致。")
        try:
            user = make_user(username, password, "admin", display_name=username)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        storage().users.put(user)
        click.echo(f"管理员 {username} 已创建。")

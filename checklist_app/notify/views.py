"""管理 → 通知: add, edit and remove group robots, send a test message, read the delivery log."""

from __future__ import annotations

import urllib.parse
import uuid

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from .. import audit, inputs
from ..auth import requires
from ..extensions import clock, handbook_state, storage
from ..strings import t
from . import outbox, platforms

bp = Blueprint("notify", __name__, url_prefix="/admin/notify")
NAME_MAX, URL_MAX, SECRET_MAX = 30, 500, 200


def masked(value: str) -> str:
    """A secret as shown again: only its last 4 characters (``••••abcd``)."""
    return ("••••" + value[-4:]) if value else ""


def shown_webhook(url: str) -> str:
    """A webhook as shown again: host and path start, the token part masked."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…{masked(url)}"


def public(robot: dict) -> dict:
    """What an admin (and the audit log) may see of a robot: never a whole webhook or secret."""
    return {
        "id": robot["id"],
        "name": robot["name"],
        "platform": robot["platform"],
        "department": robot.get("department", ""),
        "kinds": list(robot.get("kinds", [])),
        "enabled": robot.get("enabled", True),
        "webhook": shown_webhook(robot["webhook"]),
        "secret": masked(robot.get("secret", "")),
    }


def _departments() -> list[str]:
    handbook = handbook_state().handbook
    return [d.name for d in handbook.reference.departments] if handbook else []


def _settings() -> outbox.Settings:
    return outbox.Settings.from_config(current_app.config)


def _form(existing: dict | None) -> dict:
    """The robot the form describes; BadInput (Chinese) for anything malformed."""
    form = request.form
    name = inputs.name(form.get("name"), t("notify.field.name"), NAME_MAX, required=True)
    platform = form.get("platform", "")
    if platform not in platforms.PLATFORMS:
        raise inputs.BadInput(t("notify.bad_platform"), status=422)
    department = inputs.text(form.get("department"), t("notify.field.scope"), 50)
    if department and department not in _departments():
        raise inputs.BadInput(t("notify.bad_department", name=department), status=422)
    kinds = form.getlist("kinds")
    if any(k not in outbox.KINDS for k in kinds):
        raise inputs.BadInput(t("notify.bad_kind"), status=422)
    webhook = inputs.text(form.get("webhook"), t("notify.field.webhook"), URL_MAX)
    if not webhook and existing:
        webhook = existing["webhook"]  # left empty on edit: keep the stored one (never shown again)
    if not webhook:
        raise inputs.BadInput(t("notify.need_webhook"), status=422)
    if not outbox.allowed(webhook, platform, _settings().extra_hosts):
        hosts = "、".join(platforms.HOSTS[platform])
        raise inputs.BadInput(
            t("notify.bad_webhook", platform=t(f"notify.platform.{platform}"), hosts=hosts), 422
        )
    secret = inputs.text(form.get("secret"), t("notify.field.secret"), SECRET_MAX)
    if form.get("clear_secret") == "yes":
        secret = ""
    elif not secret and existing and existing.get("platform") == platform:
        secret = existing.get("secret", "")
    if platform not in platforms.SIGNED:
        secret = ""  # 企业微信 robots have no signing secret: the key in the address is the secret
    return {
        "name": name,
        "platform": platform,
        "department": department,
        "kinds": [k for k in outbox.KINDS if k in kinds],
        "enabled": form.get("enabled") == "yes",
        "webhook": webhook,
        "secret": secret,
    }


def _typed(form) -> dict:
    """The add form's values as typed, to show again after a refusal (never the webhook or secret)."""
    return {
        "name": form.get("name", ""),
        "platform": form.get("platform", ""),
        "department": form.get("department", ""),
        "kinds": form.getlist("kinds"),
        "enabled": form.get("enabled") == "yes",
    }


def _page(errors=(), form=None, status=200):
    store = storage().notify
    robots = {r["id"]: r for r in store.robots()}
    return render_template(
        "admin/notify.html",
        robots=[public(r) for r in robots.values()],
        names={rid: r["name"] for rid, r in robots.items()},
        log=store.log(50),
        queue=[m for m in store.messages(200) if m["status"] in ("pending", "sending")][:50],
        sender=store.sender(),
        departments=_departments(),
        kinds=outbox.KINDS,
        platforms=platforms.PLATFORMS,
        signed=platforms.SIGNED,
        settings=_settings(),
        errors=list(errors),
        values=_typed(form) if form is not None else {"kinds": outbox.KINDS, "enabled": True},
    ), status


@bp.get("/")
@requires("notify.manage")
def robots():
    """通知: the robots, the messages waiting, the delivery log, and a form to add a robot."""
    return _page()


@bp.post("/")
@requires("notify.manage")
def add():
    """Add a robot; its webhook and secret are shown again only as their last 4 characters."""
    try:
        robot = _form(None)
    except inputs.BadInput as exc:
        return _page([exc.message], request.form, exc.status)
    robot.update(id=uuid.uuid4().hex[:12], created_at=clock().timestamp(), created_by=g.user["username"])
    storage().notify.put_robot(robot)
    audit.record(storage(), clock(), g.user, "notify.create", robot["name"], after=public(robot))
    flash(t("notify.added", name=robot["name"]))
    return redirect(url_for("notify.robots"))


def _robot(robot_id: str) -> dict:
    robot = storage().notify.robot(robot_id) if isinstance(robot_id, str) and robot_id.isalnum() else None
    if robot is None:
        raise inputs.BadInput(t("notify.unknown_robot"), status=404)
    return robot


@bp.get("/<robot_id>")
@requires("notify.manage")
def edit_form(robot_id: str, errors=(), status=200):
    """One robot's form (the webhook and secret fields are empty: leave them to keep what is stored)."""
    robot = _robot(robot_id)
    return render_template(
        "admin/notify_robot.html",
        robot=public(robot),
        values=_typed(request.form) if errors else public(robot),
        departments=_departments(),
        kinds=outbox.KINDS,
        platforms=platforms.PLATFORMS,
        settings=_settings(),
        errors=list(errors),
    ), status


@bp.post("/<robot_id>")
@requires("notify.manage")
def edit(robot_id: str):
    before = _robot(robot_id)
    try:
        after = {**before, **_form(before)}
    except inputs.BadInput as exc:
        return edit_form(robot_id, [exc.message], exc.status)
    storage().notify.put_robot(after)
    audit.record(
        storage(), clock(), g.user, "notify.edit", after["name"], before=public(before), after=public(after)
    )
    flash(t("notify.saved", name=after["name"]))
    return redirect(url_for("notify.robots"))


@bp.post("/<robot_id>/delete")
@requires("notify.manage")
def delete(robot_id: str):
    robot = _robot(robot_id)
    storage().notify.delete_robot(robot_id)
    audit.record(storage(), clock(), g.user, "notify.delete", robot["name"], before=public(robot))
    flash(t("notify.deleted", name=robot["name"]))
    return redirect(url_for("notify.robots"))


@bp.post("/<robot_id>/test")
@requires("notify.manage")
def test(robot_id: str):
    """Queue a test message; the sender process posts it within a few seconds."""
    robot = _robot(robot_id)
    outbox.plan_test(storage(), robot, clock(), _settings())
    flash(t("notify.test_queued", name=robot["name"]))
    return redirect(url_for("notify.robots"))

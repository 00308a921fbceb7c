"""Signatures on a completed checklist: the inspector's, and optionally a countersignature.

A signature is drawn on the phone's screen and sent like a photo (a JPEG in the photo store, named by
its content hash); the submission names it with who signed. The inspector's name comes from the
session, never from the phone; a countersigner (the responsible person or the department head)
is named by the inspector.
"""

from __future__ import annotations

from . import inputs
from .storage.photos import valid_photo_id
from .strings import t

INSPECTOR = "inspector"
COUNTERSIGN = "countersign"
COUNTERSIGNERS = ("responsible", "head")  # 责任人, 部门负责人
MAX_NAME = 50


def clean(value, inspector_name: str) -> list[dict]:
    """The signatures a submission carries, as stored; inputs.BadInput (422) with the reason otherwise."""
    if value is None or value == []:
        return []
    if not isinstance(value, list) or len(value) > 2:
        raise inputs.BadInput(t("error.signature_bad"), 422)
    signed: dict[str, dict] = {}
    for entry in value:
        role = entry.get("role") if isinstance(entry, dict) else None
        if role not in (INSPECTOR, COUNTERSIGN) or role in signed or not valid_photo_id(entry.get("photo")):
            raise inputs.BadInput(t("error.signature_bad"), 422)
        if role == INSPECTOR:
            signed[role] = {"role": role, "name": inspector_name, "photo": entry["photo"]}
            continue
        if entry.get("by") not in COUNTERSIGNERS:
            raise inputs.BadInput(t("error.signature_bad"), 422)
        name = inputs.name(entry.get("name"), "会签人姓名", MAX_NAME)
        if not name:
            raise inputs.BadInput(t("error.signature_name"), 422)
        signed[role] = {"role": role, "by": entry["by"], "name": name, "photo": entry["photo"]}
    if COUNTERSIGN in signed and INSPECTOR not in signed:
        raise inputs.BadInput(t("error.signature_inspector_first"), 422)
    return [signed[role] for role in (INSPECTOR, COUNTERSIGN) if role in signed]


def label(signature: dict) -> str:
    """Who signed, as shown on the record and the PDF: 检查人 张主管, 会签（责任人）小李."""
    if signature["role"] == INSPECTOR:
        return t("signature.inspector_named", name=signature["name"])
    return t("signature.countersign_named", by=t("signature.by." + signature["by"]), name=signature["name"])

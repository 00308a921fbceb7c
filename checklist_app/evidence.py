"""Evidence on a record: uploading a photo from the phone, and showing a record's photos."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request

from . import downloads, photos
from . import records as records_service
from .auth import login_required
from .extensions import storage

bp = Blueprint("evidence", __name__)


@bp.post("/api/photos")
@login_required
def upload_photo():
    """A JPEG as the request body: 201 with its id when new, 200 when these bytes were sent before."""
    limit = int(current_app.config["PHOTO_MAX_BYTES"])
    # The app's 1 MB request limit is for forms and JSON; a photo may be larger (up to its own limit).
    request.max_content_length = limit + 1
    size = request.content_length
    if size is not None and size > limit:
        raise photos.PhotoError.of(
            "error.photo_too_large", status=413, size=photos.mb(size), limit=photos.mb(limit)
        )
    pid, created = photos.upload(
        storage(), request.get_data(), max_bytes=limit, max_side=int(current_app.config["PHOTO_MAX_SIDE"])
    )
    return jsonify(id=pid), (201 if created else 200)


@bp.get("/history/<record_id>/photos/<photo_id>")
@login_required
def photo(record_id: str, photo_id: str):
    """One photo of a record, for whoever may see that record (and nobody else)."""
    found = records_service.visible_record(storage(), g.user, record_id)
    if not photos.in_record(found, photo_id):
        abort(404)
    data = storage().photos.get(photo_id)
    if data is None:
        abort(404)
    return downloads.photo(data)

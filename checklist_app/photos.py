"""Photos on checklist items: accept an upload, clean it, and check the photos a submission names.

The phone already resizes and re-encodes (canvas, JPEG, which drops every metadata block), but
the server does not trust that: every upload is decoded with Pillow, turned upright, scaled to the
longest side allowed and encoded again without EXIF, GPS, XMP or comments, so no location leaves
the phone through the record even from a client that skipped the canvas. A photo is stored under
the SHA-256 of the bytes the phone sent, so sending the same photo again stores nothing new.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .services import ServiceError
from .storage import Storage

MAX_PIXELS = 50_000_000  # a decompression bomb is refused before it is decoded
JPEG_QUALITY = 85


class PhotoError(ServiceError):
    """An upload that is not a photo we keep (empty, too large, not a JPEG, unreadable)."""

    status = 422


def clean(data: bytes, max_side: int) -> bytes:
    """The photo as a JPEG without metadata, upright, its longest side at most ``max_side``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != "JPEG":
                    raise PhotoError.of("error.photo_type")
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoError.of("error.photo_unreadable")
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                # No exif= / icc_profile= arguments: the new file carries pixels only.
                upright.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Warning):
        raise PhotoError.of("error.photo_unreadable") from None
    return out.getvalue()


def photo_id(data: bytes) -> str:
    """The id of an upload: the SHA-256 of its bytes, as the phone also computes it."""
    return hashlib.sha256(data).hexdigest()


def upload(storage: Storage, data: bytes, *, max_bytes: int, max_side: int) -> tuple[str, bool]:
    """Store an uploaded photo; return (id, created). The same bytes again: the same id, nothing stored."""
    if not data:
        raise PhotoError.of("error.photo_empty", status=400)
    if len(data) > max_bytes:
        raise PhotoError.of("error.photo_too_large", status=413, size=mb(len(data)), limit=mb(max_bytes))
    pid = photo_id(data)
    if storage.photos.exists(pid):
        return pid, False
    return pid, storage.photos.put(pid, clean(data, max_side))


def mb(size: int) -> str:
    """A size in megabytes for a message (1.5)."""
    return f"{size / 1_000_000:.1f}"


def in_record(record: dict, pid: str) -> bool:
    """Whether the record shows this photo or signature (the only way to reach a stored one)."""
    if any(sig.get("photo") == pid for sig in record.get("signatures", ())):
        return True
    return any(pid in item.get("photos", ()) for item in record.get("items", ()))

"""Photos attached to checklist items, stored by content: the id is the SHA-256 of the uploaded bytes.

Content addressing makes uploads idempotent: a phone that uploads the same photo again (a replay
after a lost answer, two tabs, the service worker racing the page) gets the same id and nothing new
is stored. What is stored is the cleaned JPEG (:mod:`checklist_app.photos`), not the upload itself.
The embedded backend keeps one file per photo under ``DATA_DIR/photos/<2 hex>/<id>.jpg``, written to
a temporary file, fsynced and renamed, so a crash leaves the old state or the whole photo; on
PostgreSQL (``PHOTO_STORE=database``, the default there) each photo is one row (``pg/photos.py``).
"""

from __future__ import annotations

import os
import re
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

from .tinydb_store import TMP_PREFIX, fsync_dir

PHOTO_ID_RE = re.compile(r"[0-9a-f]{64}")


def valid_photo_id(value: object) -> bool:
    """Whether ``value`` is a photo id (64 lowercase hex digits)."""
    return isinstance(value, str) and PHOTO_ID_RE.fullmatch(value) is not None


class PhotoStore(ABC):
    """Photos by id; write-once (a second put of the same id keeps the first)."""

    @abstractmethod
    def put(self, photo_id: str, data: bytes) -> bool:
        """Store ``data`` under ``photo_id`` unless there; True if new. ValueError on a bad id."""

    @abstractmethod
    def get(self, photo_id: object) -> bytes | None:
        """The photo's bytes, or None for an unknown or malformed id."""

    def exists(self, photo_id: object) -> bool:
        """Whether a photo is stored under ``photo_id``."""
        return self.get(photo_id) is not None

    @abstractmethod
    def ids(self) -> list[str]:
        """Every stored photo's id, sorted (for ``storage copy``)."""


def checked_photo_id(photo_id: object) -> str:
    """``photo_id`` if it is a photo id; ValueError otherwise."""
    if not valid_photo_id(photo_id):
        raise ValueError(f"not a photo id: {photo_id!r}")
    return photo_id  # type: ignore[return-value]


_checked = checked_photo_id


class MemoryPhotoStore(PhotoStore):
    """Photos in a dict (tests, the ``memory`` storage)."""

    def __init__(self) -> None:
        self._photos: dict[str, bytes] = {}

    def put(self, photo_id: str, data: bytes) -> bool:
        if _checked(photo_id) in self._photos:
            return False
        self._photos[photo_id] = bytes(data)
        return True

    def get(self, photo_id: object) -> bytes | None:
        return self._photos.get(photo_id) if valid_photo_id(photo_id) else None

    def ids(self) -> list[str]:
        return sorted(self._photos)


class FilePhotoStore(PhotoStore):
    """One JPEG file per photo in the data folder."""

    def __init__(self, data_dir: str | Path) -> None:
        self.root = Path(data_dir) / "photos"

    def _path(self, photo_id: str) -> Path:
        return self.root / photo_id[:2] / f"{photo_id}.jpg"

    def put(self, photo_id: str, data: bytes) -> bool:
        path = self._path(_checked(photo_id))
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX + path.name + ".")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            # Two workers storing the same photo at once write the same bytes: either rename wins.
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)
        return True

    def get(self, photo_id: object) -> bytes | None:
        if not valid_photo_id(photo_id):
            return None
        try:
            return self._path(photo_id).read_bytes()
        except FileNotFoundError:
            return None

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.stem for p in self.root.glob("??/*.jpg") if valid_photo_id(p.stem))

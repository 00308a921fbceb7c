"""A throw-away PostgreSQL cluster for tests and benchmarks: a temp folder, a Unix socket in it, no TCP.

initdb and the server refuse to run as root, so as root (CI) they run as the
``postgres`` system user (``runuser``) in a folder it owns. Debian puts the
binaries under ``/usr/lib/postgresql/<version>/bin``, not always on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest Debian version first), or None."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(versions):
        if (folder / "initdb").exists():
            return folder
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


class ClusterError(Exception):
    pass


class Cluster:
    """``start`` it, connect with ``url()``, ``restart`` it (a cold cache), ``stop`` it."""

    def __init__(self, root: Path | None = None, *, fast: bool = True):
        self.bin = binaries()
        if self.bin is None:
            raise ClusterError("PostgreSQL is not installed (apt-get install postgresql)")
        self.root = Path(root or tempfile.mkdtemp(prefix="pg-test-"))
        self.data = self.root / "data"
        self.log = self.root / "log"
        self.fast = fast
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ClusterError(f"{' '.join(args)} failed: {done.stderr.strip()} {tail}")

    def start(self) -> Cluster:
        if self._as:
            shutil.chown(self.root, "postgres")
        if not self.data.exists():
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "app",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        options = f"-k {self.root} -c listen_addresses='' -c max_connections=200"
        if self.fast:  # a throw-away cluster: durability off for speed
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start"
        )
        return self

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop and start again: the database's own cache is cold afterwards."""
        self.stop()
        self.start()

    def url(self, database: str = "postgres", schema: str | None = None) -> str:
        url = f"postgresql://app@/{database}?host={quote(str(self.root))}"
        if schema:
            url += "&options=" + quote(f"-csearch_path={schema}")
        return url

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [str(self.bin / "psql"), "-h", str(self.root), "-U", "app", "-d", database, "-qAt", "-c", sql],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

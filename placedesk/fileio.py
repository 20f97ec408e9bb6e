"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Write to a temporary name in the same folder, flush and fsync, then
``os.replace`` (atomic on one file system), then fsync the folder so the
rename itself survives a power cut.

Every file PlaceDesk writes may hold a child's details, so each is created
readable and writable by its owner only (0600) on POSIX: ``mkstemp`` makes its
temporary files so, and :func:`open_private` does the same for a file written in
place. On Windows files inherit the user profile's access control lists.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


PRIVATE_MODE = 0o600


def open_private(path: Path) -> BinaryIO:
    """Create (or truncate) ``path`` for writing, readable by its owner only."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        make_private(Path(path))
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def make_private(path: Path) -> None:
    """Make an existing file owner-only (a no-op where POSIX modes do not apply)."""
    if os.name == "posix" and path.exists():
        os.chmod(path, PRIVATE_MODE)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_writer(path) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entry table; a no-op where the platform cannot (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

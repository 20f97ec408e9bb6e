"""The export bundle format: manifest schema, safe writing, and safe, verified reading.

A bundle is a folder or a zip holding ``manifest.json``, one JSON file of
records per table (``records/<table>.json``) and the stored documents they
refer to (``documents/<sha256>.pdf``). The manifest names every file with its
SHA-256 and size and is written last, so a bundle without one is incomplete.

Reading trusts nothing: the manifest is parsed strictly, every member path
must match the two shapes above (no ``..``, no absolute paths, no links), and
every file is read with a cap of its declared size, so a zip that inflates to
more than its manifest says (a zip bomb) is stopped while streaming. Only the
bytes that were verified are handed on, so what is imported is exactly what
was checked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from placedesk.errors import PlaceDeskError
from placedesk.fileio import atomic_writer, fsync_dir, open_private

FORMAT_NAME = "placedesk-bundle"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
# Bundle names on the shared folder: placedesk-<laptop>-<UTC stamp>-<bundle id>[.zip]
BUNDLE_PREFIX = "placedesk-"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
# No real office exchange comes near this; it bounds what a hostile manifest can ask us to read.
MAX_BUNDLE_BYTES = 4 * 1024 * 1024 * 1024
_CHUNK = 1024 * 1024

_MEMBER = re.compile(r"^(records/[a-z][a-z0-9_]{0,63}\.json|documents/[0-9a-f]{64}\.(pdf|bin))$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_BUNDLE_ID = re.compile(r"^[0-9a-f]{32}$")
_LAPTOP_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")

Progress = Callable[[int, int], None]


class BundleError(PlaceDeskError):
    """A bundle that cannot be used; the message names what is wrong with it."""


@dataclass(frozen=True)
class FileEntry:
    """One file a manifest vouches for."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What a bundle says about itself (``manifest.json``)."""

    bundle_id: str
    placedesk_version: str
    schema_version: int
    officer: str
    laptop_id: str
    created_at: dt.datetime
    since: dt.datetime | None
    files: tuple[FileEntry, ...]
    record_counts: dict[str, int] = field(default_factory=dict)
    # Per other laptop: the creation time of the newest bundle of theirs this laptop had imported.
    seen: dict[str, dt.datetime] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "bundle_id": self.bundle_id,
            "placedesk_version": self.placedesk_version,
            "schema_version": self.schema_version,
            "officer": self.officer,
            "laptop_id": self.laptop_id,
            "created_at": self.created_at.isoformat(),
            "scope": {"since": self.since.isoformat() if self.since else None, "full": self.since is None},
            "record_counts": dict(sorted(self.record_counts.items())),
            "seen": {k: v.isoformat() for k, v in sorted(self.seen.items())},
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
        }
        return json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")

    def file(self, path: str) -> FileEntry | None:
        for entry in self.files:
            if entry.path == path:
                return entry
        return None


def safe_member_path(path: object) -> str:
    """``path`` if it is one of the two shapes a bundle may hold, else :class:`BundleError`."""
    if not isinstance(path, str) or not _MEMBER.match(path):
        raise BundleError(
            f"The bundle lists a file at {path!r}, which is not where a PlaceDesk bundle keeps files "
            "(it may point outside the bundle). The bundle was rejected; nothing was imported."
        )
    return path


def _aware(text: object, what: str) -> dt.datetime:
    if not isinstance(text, str):
        raise BundleError(f"The bundle's manifest has no valid {what}. The bundle was rejected.")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BundleError(f"The bundle's manifest has an unreadable {what} ({text!r}). The bundle was rejected.") from None
    if value.tzinfo is None:
        raise BundleError(f"The bundle's manifest gives {what} without a time zone. The bundle was rejected.")
    return value.astimezone(dt.timezone.utc)


def _need(data: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise BundleError(f"The bundle's manifest is malformed: {key!r} is missing or of the wrong kind. "
                          "The bundle was rejected; nothing was imported.")
    return value


def parse_manifest(raw: bytes, *, schema_version: int | None = None) -> Manifest:
    """Parse and validate a manifest; any doubt is a :class:`BundleError` naming the problem."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise BundleError("The bundle's manifest is far larger than any PlaceDesk writes. The bundle was rejected.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"The bundle's manifest is not valid JSON ({exc}); the bundle may be truncated. "
                          "It was rejected; nothing was imported.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise BundleError("This is not a PlaceDesk export bundle (its manifest does not say so). Nothing was imported.")
    version = _need(data, "format_version", int)
    if version > FORMAT_VERSION:
        raise BundleError(
            f"This bundle was made by a newer PlaceDesk (bundle format {version}; this version reads up to "
            f"{FORMAT_VERSION}). Update PlaceDesk, then import it again. Nothing was imported."
        )
    if version < 1:
        raise BundleError(f"The bundle's manifest gives an impossible format version ({version}). It was rejected.")
    bundle_id = _need(data, "bundle_id", str)
    if not _BUNDLE_ID.match(bundle_id):
        raise BundleError("The bundle's manifest has a malformed bundle id. The bundle was rejected.")
    bundle_schema = _need(data, "schema_version", int)
    if schema_version is not None and bundle_schema > schema_version:
        raise BundleError(
            f"This bundle holds records from a newer PlaceDesk database (schema {bundle_schema}; this version has "
            f"{schema_version}). Update PlaceDesk, then import it again. Nothing was imported."
        )
    laptop_id = _need(data, "laptop_id", str)
    if not _LAPTOP_ID.match(laptop_id):
        raise BundleError("The bundle's manifest has a malformed laptop id. The bundle was rejected.")
    scope = _need(data, "scope", dict)
    since_raw = scope.get("since")
    since = None if since_raw is None else _aware(since_raw, "scope start")
    counts = _need(data, "record_counts", dict)
    for key, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BundleError(f"The bundle's manifest gives an invalid record count for {key!r}. It was rejected.")
    seen_raw = _need(data, "seen", dict)
    seen = {str(k): _aware(v, f"sync time for laptop {k}") for k, v in seen_raw.items()}
    files: list[FileEntry] = []
    paths: set[str] = set()
    total = 0
    for item in _need(data, "files", list):
        if not isinstance(item, dict):
            raise BundleError("The bundle's manifest has a malformed file entry. The bundle was rejected.")
        path = safe_member_path(item.get("path"))
        sha = item.get("sha256")
        size = item.get("size")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise BundleError(f"The bundle's manifest has no valid checksum for {path}. The bundle was rejected.")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BundleError(f"The bundle's manifest has no valid size for {path}. The bundle was rejected.")
        if path in paths:
            raise BundleError(f"The bundle's manifest lists {path} twice. The bundle was rejected.")
        paths.add(path)
        total += size
        files.append(FileEntry(path, sha, size))
    if total > MAX_BUNDLE_BYTES:
        raise BundleError(f"The bundle says it holds {total:,} bytes, more than PlaceDesk will read "
                          f"({MAX_BUNDLE_BYTES:,}). It was rejected.")
    return Manifest(
        bundle_id=bundle_id,
        placedesk_version=str(data.get("placedesk_version", "")),
        schema_version=bundle_schema,
        officer=str(data.get("officer", "")),
        laptop_id=laptop_id,
        created_at=_aware(data.get("created_at"), "creation time"),
        since=since,
        files=tuple(files),
        record_counts={str(k): int(v) for k, v in counts.items()},
        seen=seen,
        format_version=version,
    )


# --- reading ---------------------------------------------------------------------------

@dataclass
class VerifiedBundle:
    """A bundle whose every file matched its manifest; ``files`` holds exactly the checked bytes."""

    source: Path
    manifest: Manifest
    files: dict[str, bytes]


def _read_capped(stream: BinaryIO, entry: FileEntry) -> bytes:
    """Read at most one byte more than declared, so an oversized member is caught without inflating it."""
    buf = io.BytesIO()
    digest = hashlib.sha256()
    remaining = entry.size + 1
    while remaining > 0:
        chunk = stream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        digest.update(chunk)
        buf.write(chunk)
    data = buf.getvalue()
    if len(data) > entry.size:
        raise BundleError(f"{entry.path} in the bundle is larger than its manifest says ({entry.size:,} bytes); "
                          "the bundle may be tampered with or a zip bomb. It was rejected; nothing was imported.")
    if len(data) < entry.size:
        raise BundleError(f"{entry.path} in the bundle is shorter than its manifest says; the bundle is truncated. "
                          "It was rejected; nothing was imported.")
    if digest.hexdigest() != entry.sha256:
        raise BundleError(f"{entry.path} in the bundle does not match its checksum; it was changed or damaged "
                          "after export. The bundle was rejected; nothing was imported.")
    return data


def _read_manifest_stream(stream: BinaryIO, schema_version: int | None) -> Manifest:
    raw = stream.read(MAX_MANIFEST_BYTES + 1)
    return parse_manifest(raw, schema_version=schema_version)


def _regular_file(path: Path, root: Path, what: str) -> None:
    """Refuse links and anything that is not a plain file inside ``root``."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            raise BundleError(f"The bundle is incomplete: {what} is missing. It was rejected; nothing was imported.") from None
        if stat.S_ISLNK(mode):
            raise BundleError(f"The bundle's {what} is a link, which could point outside the bundle. "
                              "It was rejected; nothing was imported.")
    if not stat.S_ISREG(os.lstat(path).st_mode):
        raise BundleError(f"The bundle's {what} is not a plain file. It was rejected; nothing was imported.")


def _open_no_follow(path: Path) -> BinaryIO:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    return os.fdopen(os.open(path, flags), "rb")


def _read_folder(root: Path, schema_version: int | None, progress: Progress | None) -> VerifiedBundle:
    if os.path.islink(root):
        raise BundleError(f"{root} is a link, not a bundle folder. Nothing was imported.")
    manifest_path = root / MANIFEST_NAME
    _regular_file(manifest_path, root, MANIFEST_NAME)
    with _open_no_follow(manifest_path) as handle:
        manifest = _read_manifest_stream(handle, schema_version)
    files: dict[str, bytes] = {}
    total = len(manifest.files)
    for index, entry in enumerate(manifest.files):
        path = root / entry.path
        _regular_file(path, root, entry.path)
        with _open_no_follow(path) as handle:
            files[entry.path] = _read_capped(handle, entry)
        if progress:
            progress(index + 1, total)
    return VerifiedBundle(root, manifest, files)


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _read_zip(path: Path, schema_version: int | None, progress: Progress | None) -> VerifiedBundle:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"{path.name} is not a readable zip ({exc}); it may be truncated. Nothing was imported.") from None
    with archive:
        infos: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            name = info.filename
            if name != MANIFEST_NAME:
                safe_member_path(name)
            if _is_link(info):
                raise BundleError(f"The zip holds a link ({name}), which could point outside the bundle. "
                                  "It was rejected; nothing was imported.")
            if name in infos:
                raise BundleError(f"The zip holds {name} twice. It was rejected; nothing was imported.")
            infos[name] = info
        if MANIFEST_NAME not in infos:
            raise BundleError("The zip has no manifest.json, so it is incomplete or not a PlaceDesk bundle. "
                              "Nothing was imported.")
        try:
            with archive.open(infos[MANIFEST_NAME]) as handle:
                manifest = _read_manifest_stream(handle, schema_version)
            unlisted = sorted(set(infos) - {MANIFEST_NAME} - {f.path for f in manifest.files})
            if unlisted:
                raise BundleError(f"The zip holds files its manifest does not list ({', '.join(unlisted[:3])}); "
                                  "it was tampered with. Nothing was imported.")
            files: dict[str, bytes] = {}
            total = len(manifest.files)
            for index, entry in enumerate(manifest.files):
                info = infos.get(entry.path)
                if info is None:
                    raise BundleError(f"The bundle is incomplete: {entry.path} is missing. It was rejected; "
                                      "nothing was imported.")
                if info.file_size > entry.size:
                    raise BundleError(f"{entry.path} in the zip is larger than its manifest says ({info.file_size:,} "
                                      f"bytes against {entry.size:,}); it may be a zip bomb. It was rejected; "
                                      "nothing was imported.")
                with archive.open(info) as handle:
                    files[entry.path] = _read_capped(handle, entry)
                if progress:
                    progress(index + 1, total)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise BundleError(f"The zip is damaged or truncated ({exc}). It was rejected; nothing was imported.") from None
    return VerifiedBundle(path, manifest, files)


def read_bundle(path: Path, *, schema_version: int | None = None, progress: Progress | None = None) -> VerifiedBundle:
    """Read and verify a bundle folder or zip without touching any database."""
    path = Path(path)
    if not os.path.lexists(path):
        raise BundleError(f"There is no bundle at {path}.")
    if path.is_dir():
        return _read_folder(path, schema_version, progress)
    return _read_zip(path, schema_version, progress)


# --- writing ---------------------------------------------------------------------------

def bundle_name(laptop_id: str, created_at: dt.datetime, bundle_id: str) -> str:
    return f"{BUNDLE_PREFIX}{laptop_id}-{created_at.strftime('%Y%m%dT%H%M%SZ')}-{bundle_id}"


def parse_bundle_name(name: str) -> tuple[str, str] | None:
    """(laptop id, bundle id) from a bundle's file or folder name, or None if it is not one."""
    match = re.match(r"^placedesk-([A-Za-z0-9_]{1,64})-\d{8}T\d{6}Z-([0-9a-f]{32})(\.zip)?$", name)
    return (match.group(1), match.group(2)) if match else None


class BundleWriter:
    """Writes a bundle so it appears complete or not at all.

    Members are written under a hidden temporary name beside the target, each
    flushed to disk; the manifest goes in last; then one rename publishes it.
    """

    def __init__(self, target: Path, as_zip: bool) -> None:
        self.target = Path(target)
        self.as_zip = as_zip
        self.entries: list[FileEntry] = []
        self._stack: list[Any] = []
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if as_zip:
            self._writer_cm = atomic_writer(self.target)
            self._handle = self._writer_cm.__enter__()
            self._zip = zipfile.ZipFile(self._handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        else:
            self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".partial", dir=self.target.parent))

    def add(self, path: str, data: bytes) -> None:
        safe_member_path(path)
        self.entries.append(FileEntry(path, hashlib.sha256(data).hexdigest(), len(data)))
        self._write(path, data)

    @contextlib.contextmanager
    def member(self, path: str) -> Iterator[Callable[[bytes], None]]:
        """Stream one member in pieces (large tables never sit in memory whole); yields ``write``."""
        safe_member_path(path)
        digest = hashlib.sha256()
        size = 0
        if self.as_zip:
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            handle: BinaryIO = self._zip.open(info, "w", force_zip64=True)  # type: ignore[assignment]
        else:
            dest = self._tmp / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            handle = open_private(dest)

        def write(data: bytes) -> None:
            nonlocal size
            digest.update(data)
            size += len(data)
            handle.write(data)

        try:
            yield write
            if not self.as_zip:
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            handle.close()
        self.entries.append(FileEntry(path, digest.hexdigest(), size))

    def _write(self, path: str, data: bytes) -> None:
        if self.as_zip:
            # PDFs are already compressed; deflating them again only costs time.
            kind = zipfile.ZIP_STORED if path.startswith("documents/") else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = kind
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, data)
            return
        dest = self._tmp / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open_private(dest) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def finish(self, manifest: Manifest) -> Path:
        """Write the manifest last and publish the bundle under its final name."""
        self._write(MANIFEST_NAME, manifest.to_json())
        if self.as_zip:
            self._zip.close()
            self._writer_cm.__exit__(None, None, None)
            return self.target
        for folder in {self._tmp / Path(e.path).parent for e in self.entries} | {self._tmp}:
            fsync_dir(folder)
        if self.target.exists():
            raise BundleError(f"{self.target} already exists; choose another folder.")
        os.rename(self._tmp, self.target)
        fsync_dir(self.target.parent)
        return self.target

    def abort(self) -> None:
        """Remove everything written so far (on any failure)."""
        if self.as_zip:
            try:
                self._zip.close()
            except Exception:  # the temp file is deleted below whatever state the zip is in
                pass
            self._writer_cm.__exit__(BundleError, BundleError("aborted"), None)
        else:
            shutil.rmtree(self._tmp, ignore_errors=True)


def iter_bundle_names(folder: Path) -> Iterator[Path]:
    """Complete bundles in ``folder`` (temporary and hidden names are skipped)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if parse_bundle_name(entry.name) is not None:
            yield entry

"""The export bundle format: manifest schema, safe writing, and safe, verified reading.

A bundle is a folder or a zip holding ``manifest.json``, its detached CMS
signature ``manifest.p7s``, one JSON Lines file of records per table
(``records/<table>.jsonl``: a header line naming the columns, then one record
per line; format 1 bundles had one ``records/<table>.json`` document instead,
still read) and the stored documents they refer to (``documents/<sha256>.pdf``).
The manifest names every file with its SHA-256 and size and is written last,
so a bundle without one is incomplete.

Reading trusts nothing: the manifest is parsed strictly, every member path
must match the shapes above (no ``..``, no absolute paths, no links), a file
the manifest does not list is refused (in a folder as in a zip), and every
file is streamed with a cap of its declared size, so a zip that inflates to
more than its manifest says (a zip bomb) is stopped while streaming. Members
are checked again as they are read, so what is imported is exactly what was
checked.
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
from placedesk.fileio import atomic_writer, fsync_dir

FORMAT_NAME = "placedesk-bundle"
# 2: records as JSON Lines (``records/<table>.jsonl``) and a signature beside the manifest.
FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"
# The detached CMS signature over the manifest's exact bytes; not listed in the manifest it signs.
SIGNATURE_NAME = "manifest.p7s"
MAX_SIGNATURE_BYTES = 256 * 1024
# A record is a line; none comes near this, so a longer one is hostile or damaged.
MAX_LINE_BYTES = 64 * 1024 * 1024
# Bundle names on the shared folder: placedesk-<laptop>-<UTC stamp>-<bundle id>[.zip]
BUNDLE_PREFIX = "placedesk-"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
# No real office exchange comes near this; it bounds what a hostile manifest can ask us to read.
MAX_BUNDLE_BYTES = 4 * 1024 * 1024 * 1024
_CHUNK = 1024 * 1024

_MEMBER = re.compile(r"^(records/[a-z][a-z0-9_]{0,63}\.jsonl?|documents/[0-9a-f]{64}\.(pdf|bin))$")
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
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
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

class _CheckedStream:
    """Reads one member with a cap of its declared size, checking size and SHA-256 at the end.

    Nothing read from it may be kept if it raises: the import that reads it runs in one
    transaction, which the error rolls back.
    """

    def __init__(self, stream: BinaryIO, entry: FileEntry) -> None:
        self._stream = stream
        self._entry = entry
        self._digest = hashlib.sha256()
        self._size = 0
        self._done = False

    def read(self, n: int = _CHUNK) -> bytes:
        if self._done:
            return b""
        # One byte more than declared, so an oversized member is caught without inflating it.
        chunk = self._stream.read(min(n, self._entry.size + 1 - self._size))
        self._size += len(chunk)
        self._digest.update(chunk)
        if self._size > self._entry.size:
            raise BundleError(f"{self._entry.path} in the bundle is larger than its manifest says "
                              f"({self._entry.size:,} bytes); the bundle may be tampered with or a zip bomb. "
                              "It was rejected; nothing was imported.")
        if not chunk or self._size == self._entry.size:
            self._finish(chunk)
        return chunk

    def _finish(self, chunk: bytes) -> None:
        if chunk and self._stream.read(1):
            raise BundleError(f"{self._entry.path} in the bundle is larger than its manifest says "
                              f"({self._entry.size:,} bytes); the bundle may be tampered with or a zip bomb. "
                              "It was rejected; nothing was imported.")
        self._done = True
        if self._size < self._entry.size:
            raise BundleError(f"{self._entry.path} in the bundle is shorter than its manifest says; the bundle is "
                              "truncated. It was rejected; nothing was imported.")
        if self._digest.hexdigest() != self._entry.sha256:
            raise BundleError(f"{self._entry.path} in the bundle does not match its checksum; it was changed or "
                              "damaged after export. The bundle was rejected; nothing was imported.")

    def read_all(self) -> bytes:
        buf = io.BytesIO()
        while True:
            chunk = self.read(_CHUNK)
            if not chunk:
                return buf.getvalue()
            buf.write(chunk)

    def lines(self, max_line: int = MAX_LINE_BYTES) -> Iterator[bytes]:
        """The member's lines (without their newline), streamed; the checks run when the last is read."""
        pending = b""
        while True:
            chunk = self.read(_CHUNK)
            if not chunk:
                break
            pending += chunk
            parts = pending.split(b"\n")
            pending = parts.pop()
            if len(pending) > max_line:
                raise BundleError(f"{self._entry.path} in the bundle has a line longer than any record. "
                                  "It was rejected; nothing was imported.")
            yield from parts
        if pending:
            yield pending


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


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _folder_members(root: Path) -> list[str]:
    """Every file and link under ``root``, as bundle paths (links are listed, never followed)."""
    found: list[str] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in names + [d for d in dirs if os.path.islink(base / d)]:
            found.append((base / name).relative_to(root).as_posix())
    return found


class BundleReader:
    """An opened bundle: its manifest (exact bytes kept, for the signature), signature and members.

    Opening reads only the manifest and signature and checks that the bundle holds
    nothing its manifest does not list. Members are read later through
    :meth:`member`, each checked against the manifest as it streams, so what is used
    is exactly what was checked even if the files change meanwhile.
    """

    def __init__(self, source: Path, *, schema_version: int | None = None) -> None:
        self.source = Path(source)
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        if not os.path.lexists(self.source):
            raise BundleError(f"There is no bundle at {self.source}.")
        if self.source.is_dir() and not os.path.islink(self.source):
            present = self._open_folder()
        elif os.path.islink(self.source) and os.path.isdir(self.source):
            raise BundleError(f"{self.source} is a link, not a bundle folder. Nothing was imported.")
        else:
            present = self._open_zip()
        try:
            self.manifest_bytes = self._read_small(MANIFEST_NAME, MAX_MANIFEST_BYTES)
            if self.manifest_bytes is None:
                raise BundleError("The bundle has no manifest.json, so it is incomplete or not a PlaceDesk bundle. "
                                  "Nothing was imported.")
            self.manifest = parse_manifest(self.manifest_bytes, schema_version=schema_version)
            self.signature = self._read_small(SIGNATURE_NAME, MAX_SIGNATURE_BYTES)
            unlisted = sorted(set(present) - {MANIFEST_NAME, SIGNATURE_NAME} - {f.path for f in self.manifest.files})
            if unlisted:
                raise BundleError(f"The bundle holds files its manifest does not list ({', '.join(unlisted[:3])}); "
                                  "it was tampered with. Nothing was imported.")
        except BaseException:
            self.close()
            raise

    def _open_folder(self) -> list[str]:
        # Everything found is inside the folder (links are listed, never followed); what the
        # manifest does not list is refused below, as in a zip.
        return _folder_members(self.source)

    def _open_zip(self) -> list[str]:
        try:
            self._zip = zipfile.ZipFile(self.source)
        except (zipfile.BadZipFile, OSError) as exc:
            raise BundleError(f"{self.source.name} is not a readable zip ({exc}); it may be truncated. "
                              "Nothing was imported.") from None
        for info in self._zip.infolist():
            name = info.filename
            if name not in (MANIFEST_NAME, SIGNATURE_NAME):
                safe_member_path(name)
            if _is_link(info):
                raise BundleError(f"The zip holds a link ({name}), which could point outside the bundle. "
                                  "It was rejected; nothing was imported.")
            if name in self._infos:
                raise BundleError(f"The zip holds {name} twice. It was rejected; nothing was imported.")
            self._infos[name] = info
        return list(self._infos)

    def _raw(self, name: str) -> BinaryIO | None:
        if self._zip is None:
            path = self.source / name
            if not os.path.lexists(path):
                return None
            _regular_file(path, self.source, name)
            return _open_no_follow(path)
        info = self._infos.get(name)
        return None if info is None else self._zip.open(info)  # type: ignore[return-value]

    def _read_small(self, name: str, limit: int) -> bytes | None:
        try:
            handle = self._raw(name)
            if handle is None:
                return None
            with handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise BundleError(f"The bundle's {name} cannot be read ({exc}). It was rejected; nothing was imported.") from None
        if len(data) > limit:
            raise BundleError(f"The bundle's {name} is far larger than any PlaceDesk writes. It was rejected.")
        return data

    @contextlib.contextmanager
    def member(self, path: str) -> Iterator[_CheckedStream]:
        """One listed member, streamed and checked against its manifest entry."""
        entry = self.manifest.file(path)
        if entry is None:
            raise BundleError(f"The bundle's manifest does not list {path}. It was rejected; nothing was imported.")
        if self._zip is not None:
            info = self._infos.get(path)
            if info is not None and info.file_size > entry.size:
                raise BundleError(f"{path} in the zip is larger than its manifest says ({info.file_size:,} bytes "
                                  f"against {entry.size:,}); it may be a zip bomb. It was rejected; nothing was "
                                  "imported.")
        try:
            handle = self._raw(path)
            if handle is None:
                raise BundleError(f"The bundle is incomplete: {path} is missing. It was rejected; nothing was imported.")
            with handle:
                yield _CheckedStream(handle, entry)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise BundleError(f"The zip is damaged or truncated ({exc}). It was rejected; nothing was imported.") from None
        except OSError as exc:
            raise BundleError(f"{path} in the bundle cannot be read ({exc.strerror or exc}). It was rejected; "
                              "nothing was imported.") from None

    def read_member(self, path: str) -> bytes:
        with self.member(path) as stream:
            return stream.read_all()

    def verify_files(self, progress: Progress | None = None) -> None:
        """Stream every listed file once against its checksum and size, keeping none of it."""
        total = len(self.manifest.files)
        for index, entry in enumerate(self.manifest.files):
            with self.member(entry.path) as stream:
                while stream.read(_CHUNK):
                    pass
            if progress:
                progress(index + 1, total)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_bundle(path: Path, *, schema_version: int | None = None) -> BundleReader:
    """Open a bundle folder or zip (manifest and signature read, unlisted files refused); use with ``with``."""
    return BundleReader(Path(path), schema_version=schema_version)


@dataclass
class VerifiedBundle:
    """A bundle whose every file matched its manifest (the files themselves are read again when used)."""

    source: Path
    manifest: Manifest
    signed: bool


def read_bundle(path: Path, *, schema_version: int | None = None, progress: Progress | None = None) -> VerifiedBundle:
    """Read and verify a whole bundle folder or zip without touching any database."""
    with open_bundle(path, schema_version=schema_version) as bundle:
        bundle.verify_files(progress)
        return VerifiedBundle(bundle.source, bundle.manifest, bundle.signature is not None)


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
            handle = open(dest, "wb")

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
        with open(dest, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def finish(self, manifest: Manifest, sign: Callable[[bytes], bytes]) -> Path:
        """Write the manifest and its signature last and publish the bundle under its final name."""
        data = manifest.to_json()
        self._write(MANIFEST_NAME, data)
        self._write(SIGNATURE_NAME, sign(data))
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

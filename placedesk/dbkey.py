"""Keys for encrypted databases (SQLCipher 4): the operating system's keystore, or a passphrase.

Where the system has a keystore (Windows Credential Manager, macOS Keychain,
Secret Service), PlaceDesk keeps one random 256-bit key there for this user,
and every database it encrypts (and their backups) uses it, so the officer
never types it. Where there is none, the officer chooses a passphrase, asked
for at start-up (or read from ``--passphrase-file`` on the command line); it is
stretched with SQLCipher 4's own KDF (PBKDF2-HMAC-SHA512, 256,000 rounds, the
file's 16-byte salt) once per file and process, so every further connection
opens at once with the derived key.

Passphrases given in this process are remembered (never written) and tried,
after a key the caller gives and before the keystore's, on any encrypted file
opened: the database, its backups. A key is handed to SQLCipher as a raw key string: ``x'<64 hex>'`` (keystore) or
``x'<64 hex><32 hex salt>'`` (derived from a passphrase). Keys are never logged
and never taken from an argument or an environment variable's value.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import Any

from placedesk.errors import DatabaseLocked, PlaceDeskError

SERVICE = "PlaceDesk"
ACCOUNT = "database-key"
KDF_ROUNDS = 256_000
SALT_BYTES = 16
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")


def _keyring():  # type: ignore[no-untyped-def]
    import keyring

    return keyring


def keystore_available() -> bool:
    """Whether this system offers a keystore PlaceDesk can keep a key in."""
    try:
        from keyring.backends.fail import Keyring as NoKeyring

        backend = _keyring().get_keyring()
    except Exception:  # noqa: BLE001 - any keystore failure means "no keystore"
        return False
    return not isinstance(backend, NoKeyring)


def keystore_key() -> str | None:
    """The raw key kept in the keystore for this user, as SQLCipher takes it; None when there is none."""
    if not keystore_available():
        return None
    try:
        stored = _keyring().get_password(SERVICE, ACCOUNT)
    except Exception:  # noqa: BLE001 - a locked or broken keystore is the same as none for opening
        return None
    if not stored or not _HEX_KEY.match(stored):
        return None
    return f"x'{stored}'"


def ensure_keystore_key() -> str:
    """The keystore's key, made and kept there first if there is none yet."""
    existing = keystore_key()
    if existing is not None:
        return existing
    if not keystore_available():
        raise PlaceDeskError("This computer offers no keystore to keep the database key in. Choose a passphrase "
                             "instead (on the command line: --passphrase-file F).")
    value = secrets.token_hex(32)
    try:
        _keyring().set_password(SERVICE, ACCOUNT, value)
    except Exception as exc:  # noqa: BLE001
        raise PlaceDeskError(f"The keystore refused to keep the database key ({type(exc).__name__}). Choose a "
                             "passphrase instead (on the command line: --passphrase-file F).") from None
    return f"x'{value}'"


@functools.lru_cache(maxsize=16)
def _stretch(passphrase: str, salt: bytes) -> str:
    derived = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ROUNDS, 32)
    return f"x'{derived.hex()}{salt.hex()}'"


def key_for_file(passphrase: str, path: Path) -> str | None:
    """The raw key a passphrase gives for the encrypted file at ``path`` (its salt is the first 16 bytes)."""
    try:
        with open(path, "rb") as handle:
            salt = handle.read(SALT_BYTES)
    except OSError:
        return None
    if len(salt) < SALT_BYTES:
        return None
    return _stretch(passphrase, salt)


def new_passphrase_key(passphrase: str) -> str:
    """A raw key for a new file encrypted with ``passphrase`` (with a new random salt)."""
    check_passphrase(passphrase)
    return _stretch(passphrase, os.urandom(SALT_BYTES))


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < 10:
        raise PlaceDeskError("Choose a passphrase of at least 10 characters (a few unrelated words are best).")


def read_passphrase_file(path: Path) -> str:
    """The passphrase on the first line of ``path`` (so it never appears in a command line)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PlaceDeskError(f"The passphrase file {path} could not be read ({exc.strerror or exc}).") from None
    if not lines or not lines[0]:
        raise PlaceDeskError(f"The passphrase file {path} is empty: put the passphrase on its first line.")
    return lines[0]


# Passphrases given in this process (start-up prompt, --passphrase-file); never written anywhere.
_passphrases: list[str] = []


def remember_passphrase(passphrase: str) -> None:
    """Let this process open encrypted files with ``passphrase`` (tried after an explicit key)."""
    if passphrase and passphrase not in _passphrases:
        _passphrases.append(passphrase)


def forget_passphrases() -> None:
    """Forget every remembered passphrase (a new process's state; used by tests)."""
    _passphrases.clear()


def candidate_keys(path: Path, key: str | None) -> list[str]:
    """The keys to try on ``path``: the one given, those from remembered passphrases, the keystore's."""
    keys = [key] if key else []
    keys += [k for p in _passphrases if (k := key_for_file(p, path))]
    stored = keystore_key()
    if stored:
        keys.append(stored)
    return list(dict.fromkeys(keys))


def cipher_connect(target: str, key: str, *, uri: bool = False, check_same_thread: bool = True) -> Any:
    """A SQLCipher connection to ``target`` opened with ``key`` (none: a plain file read through SQLCipher)."""
    import sqlcipher3

    conn = sqlcipher3.connect(target, uri=uri, check_same_thread=check_same_thread)
    # A wrong key is reported to the officer by PlaceDesk, not as SQLCipher's log lines on stderr.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key:  # no key: a plain file, opened through SQLCipher to export it
        conn.execute(f"PRAGMA key = \"{key}\"")
    return conn


def _read_ids(path: Path, key: str) -> tuple[int, int]:
    """(application_id, user_version), read-only; raises the driver's DatabaseError on a wrong key."""
    conn = cipher_connect(f"file:{path}?mode=ro", key, uri=True)
    try:
        return (conn.execute("PRAGMA application_id").fetchone()[0],
                conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def unlock(path: Path, key: str | None) -> tuple[str, int, int]:
    """The key that opens the encrypted file at ``path``, with its ids; DatabaseLocked if none does."""
    import sqlcipher3

    keys = candidate_keys(path, key)
    for candidate in keys:
        try:
            app_id, user_version = _read_ids(path, candidate)
        except sqlcipher3.DatabaseError:
            continue
        return candidate, app_id, user_version
    if not keys:
        raise DatabaseLocked(
            f"{path} is not a plain SQLite file: it is either encrypted, with no key for it in this computer's "
            "keystore, or not a PlaceDesk database (it is not an SQLite file). If it is encrypted, give its "
            "passphrase (on the command line: --passphrase-file F). It was left untouched.")
    raise DatabaseLocked(
        f"{path} could not be opened with the key given: the passphrase is wrong, or it is not a PlaceDesk "
        "database. It was left untouched.")


__all__ = [
    "candidate_keys",
    "cipher_connect",
    "ensure_keystore_key",
    "forget_passphrases",
    "remember_passphrase",
    "unlock",
    "check_passphrase",
    "key_for_file",
    "keystore_available",
    "keystore_key",
    "new_passphrase_key",
    "read_passphrase_file",
]

"""The signing identity's passphrase in the operating system's keystore, when the officer chose to keep it there.

``keyring`` reaches the Windows Credential Manager, the macOS Keychain or the
Secret Service on a Linux desktop. A headless Linux machine has none: then
nothing is stored, :func:`saved_passphrase` gives None, and commands take
``--passphrase-file F`` instead. The passphrase is kept per identity file, so
two PlaceDesk homes on one machine never share it.
"""

from __future__ import annotations

from pathlib import Path

from placedesk.errors import PlaceDeskError

SERVICE = "PlaceDesk signing identity"


def _account(path: Path | None) -> str:
    from placedesk.services.agreements.identity import identity_path

    return str((path or identity_path()).resolve())


def keystore_available() -> bool:
    """Whether this machine has a keystore PlaceDesk can keep the passphrase in."""
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception:  # a keystore that cannot even be looked up counts as none
        return False
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0


def saved_passphrase(path: Path | None = None) -> str | None:
    """The passphrase kept for the identity at ``path`` (default: the officer's), or None."""
    if not keystore_available():
        return None
    import keyring

    try:
        return keyring.get_password(SERVICE, _account(path))
    except Exception:  # a locked or unreachable keystore: ask or use --passphrase-file instead
        return None


def remember_passphrase(passphrase: str, path: Path | None = None) -> None:
    """Keep the passphrase in the keystore; a clear error where there is none."""
    if not keystore_available():
        raise PlaceDeskError("This computer has no keystore PlaceDesk can use (on Linux without a desktop there is "
                             "none), so the passphrase was not kept. Give it with --passphrase-file FILE instead.")
    import keyring

    try:
        keyring.set_password(SERVICE, _account(path), passphrase)
    except Exception as exc:  # the keystore refused (locked, or access denied)
        raise PlaceDeskError(f"The keystore would not keep the passphrase ({exc}). "
                             "Give it with --passphrase-file FILE instead.") from None


def forget_passphrase(path: Path | None = None) -> None:
    """Remove a kept passphrase (nothing happens when none was kept)."""
    if not keystore_available():
        return
    import keyring

    try:
        keyring.delete_password(SERVICE, _account(path))
    except Exception:  # nothing kept, or the keystore is away: either way nothing is left to forget
        pass

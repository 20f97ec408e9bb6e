"""A keystore for benchmarks: a JSON file shared by the harness and the app processes it starts.

It stands in for the system's keystore (which a headless benchmark machine
lacks), selected with ``PYTHON_KEYRING_BACKEND=bench.keystore.FileKeyring`` and
located by ``PLACEDESK_BENCH_KEYSTORE``. Benchmark data only: never a real key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    """Passwords by service and user in one JSON file."""

    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["PLACEDESK_BENCH_KEYSTORE"])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path.write_text(json.dumps(data), encoding="utf-8")
        os.chmod(self._path, 0o600)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}/{username}", None)
        self._path.write_text(json.dumps(data), encoding="utf-8")

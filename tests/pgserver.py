"""A throwaway PostgreSQL server for the tests and benchmarks, in a temporary folder.

``initdb`` refuses to run as root (CI runs as root), so there the cluster's folder
is given to the unprivileged ``postgres`` user (Debian's package creates it) and
its programs run through ``runuser``. The server listens on a Unix socket in its
own folder (trusted: only this machine's users reach it) and on a free loopback
port with SCRAM passwords, so tests can log in as an officer with a password.

``PLACEDESK_TEST_POSTGRES_URL`` points the tests at a server already running
instead (a superuser URL); ``PLACEDESK_REQUIRE_POSTGRES=1`` (set by ``.ci/run``)
turns "no PostgreSQL here" from a skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "placedesk_admin"
MIN_MAJOR = 15


def postgres_bindir() -> Path | None:
    """The folder of the newest installed PostgreSQL 15+ server programs, or None."""
    found: list[tuple[int, Path]] = []
    for candidate in Path("/usr/lib/postgresql").glob("*/bin"):
        if (candidate / "initdb").exists() and candidate.parent.name.isdigit():
            found.append((int(candidate.parent.name), candidate))
    on_path = shutil.which("initdb")
    if on_path:
        version = subprocess.run([on_path, "--version"], capture_output=True, text=True).stdout.split()[-1]
        # Debian links initdb into /usr/local/bin; the folder beside it holds psql and pg_ctl too.
        found.append((int(version.split(".")[0]), Path(on_path).resolve().parent))
    usable = sorted(item for item in found if item[0] >= MIN_MAJOR)
    return usable[-1][1] if usable else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ThrowawayServer:
    """One running cluster; ``url(dbname)`` gives a superuser SQLAlchemy URL for a database on it."""

    folder: Path
    bindir: Path
    port: int
    run_as: str | None

    @property
    def socket_dir(self) -> Path:
        return self.folder

    def url(self, dbname: str = "postgres", user: str = SUPERUSER, password: str | None = None) -> str:
        """A URL through the Unix socket (trusted), or over loopback TCP when a password is given."""
        if password is None:
            return f"postgresql+psycopg://{user}@/{dbname}?host={self.socket_dir}&port={self.port}"
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL as the superuser (for setting up tests); raise with PostgreSQL's message on failure."""
        done = self._run("psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir),
                         "-p", str(self.port), "-U", SUPERUSER, "-d", dbname, "-c", sql)
        if done.returncode:
            raise RuntimeError(done.stderr.strip())
        return done.stdout

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(*, durable: bool = False) -> ThrowawayServer:
    """Create and start a cluster in a new temporary folder (a second or two).

    ``durable=False`` switches off fsync, as befits data that is thrown away after the
    run; benchmarks pass ``durable=True`` to measure what a council's server would do.
    """
    bindir = postgres_bindir()
    if bindir is None:
        raise FileNotFoundError(f"no PostgreSQL {MIN_MAJOR}+ server programs (initdb) on this machine")
    run_as = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="placedesk-pg-"))
    if run_as:
        shutil.chown(folder, run_as, run_as)
    server = ThrowawayServer(folder=folder, bindir=bindir, port=_free_port(), run_as=run_as)
    pwfile = folder / "pw"
    pwfile.write_text("throwaway\n")
    if run_as:
        shutil.chown(pwfile, run_as, run_as)
    done = server._run("initdb", "-D", str(folder / "data"), "-U", SUPERUSER, "--pwfile", str(pwfile),
                       "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                       "--no-sync")
    if done.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
    settings = [f"port = {server.port}", "listen_addresses = '127.0.0.1'",
                f"unix_socket_directories = '{folder}'", "max_connections = 200",
                "shared_buffers = 128MB", "log_min_messages = warning"]
    if not durable:
        settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
    with open(folder / "data" / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("\n".join(settings) + "\n")
    done = server._run("pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w",
                       "-t", "60", "start")
    if done.returncode:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log[-2000:]}")
    deadline = time.monotonic() + 30
    while True:
        try:
            server.psql("SELECT 1")
            break
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return server


if __name__ == "__main__":
    # Start one by hand for development: prints the superuser URL; Ctrl+C stops and removes it.
    running = start_server()
    print(running.url())
    print(f"psql -h {running.socket_dir} -p {running.port} -U {SUPERUSER} postgres")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        running.stop()

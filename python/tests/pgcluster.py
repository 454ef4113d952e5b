"""A private PostgreSQL cluster for the tests: ``initdb`` into a temporary folder, a server on a
free loopback port (and a unix socket in that folder), password authentication, stopped and
removed afterwards. As root, the server runs as the unprivileged user ``nobody`` (PostgreSQL
refuses to run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "eros"
PASSWORD = "eros-test-password"
REQUIRE_ENV = "EROS_REQUIRE_POSTGRES"


class PostgresUnavailable(RuntimeError):
    """The cluster could not be started here (no binaries, or they failed)."""


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise PostgresUnavailable("no initdb on PATH or in /usr/lib/postgresql/*/bin")
    return Path(candidates[0]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="eros-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_nobody = os.geteuid() == 0
        if self.as_nobody:
            shutil.chown(self.dir, "nobody")

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_nobody:
            command = ["runuser", "-u", "nobody", "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=self.dir, timeout=180, check=False
        )
        if done.returncode != 0:
            detail = " ".join((done.stderr or done.stdout).split())[-400:]
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {detail}")
        return done

    def start(self) -> Cluster:
        password_file = self.dir / "password"
        password_file.write_text(PASSWORD + "\n")
        if self.as_nobody:
            shutil.chown(password_file, "nobody")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "-A", "scram-sha-256",
            f"--pwfile={password_file}", "-E", "UTF8", "--no-locale",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"),
            "-o", options, "-w", "-t", "120", "start",
        )  # fmt: skip
        return self

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        env = {**os.environ, "PGPASSWORD": PASSWORD}
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name],
            env=env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return self.url(name)

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

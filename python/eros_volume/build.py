"""Build the DuckDB file with dbt, in a subprocess, into a temporary file swapped in on success.

Readers keep answering from the previous file during a build; a failed build (or failed test)
leaves it serving and raises BuildError with dbt's reason.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from .extensions import ensure_sqlite_extension
from .paths import dbt_work_dir, default_extension_dir, project_dir
from .store import default_db_path

RAW_ENV = "EROS_RAW_DB"
SQLITE_MAGIC = b"SQLite format 3\x00"
DUCKDB_MAGIC = b"DUCK"  # at byte offset 8 of a DuckDB file
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


class BuildError(RuntimeError):
    """A build (or its input) failed; the message is one line for the user."""


class BuildInputError(BuildError):
    """The input is wrong (an argument, or the raw database's path, tables or columns), not the
    build: the CLI exits 2 for it, as for any bad input."""


# dbt failures that name a problem of the raw database (macros/utils/raw_tables.sql).
RAW_INPUT_FAILURES = ("raw database is missing", "raw table ")


def parse_timestamp(text: str, what: str = "--as-of") -> str:
    """'YYYY-MM-DD HH:MM:SS' (or ISO 'T') normalised, else BuildError."""
    for fmt in TIMESTAMP_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).strftime(TIMESTAMP_FORMATS[0])
        except ValueError:
            continue
    raise BuildInputError(f"{what} is not a timestamp 'YYYY-MM-DD HH:MM:SS': {text!r}")


def parse_date(text: str, what: str) -> str:
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise BuildInputError(f"{what} is not a date 'YYYY-MM-DD': {text!r}") from None


def raw_database_kind(path: str | Path) -> str:
    """'sqlite' or 'duckdb' from the file's header, else BuildError."""
    path = Path(path)
    if not path.exists():
        raise BuildInputError(f"raw database not found: {path}")
    if not path.is_file():
        raise BuildInputError(f"raw database is not a file: {path}")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head[8:12] == DUCKDB_MAGIC:
        return "duckdb"
    raise BuildInputError(f"raw database is neither SQLite nor DuckDB: {path}")


def dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    found = str(beside) if beside.is_file() else shutil.which("dbt")
    if not found:
        raise BuildError("dbt is not installed: pip install -e . in the project")
    return found


def run_dbt(
    args: list[str], env: dict[str, str], echo: bool = True
) -> tuple[int, list[str]]:
    """Run dbt in the project, streaming its log lines to stderr when echo; return code, lines."""
    root = project_dir()
    with dbt_work_dir() as work:
        command = [
            dbt_executable(),
            *args,
            "--project-dir", str(root),
            "--profiles-dir", str(root),
            "--target-path", str(work / "target"),
            "--log-path", str(work / "logs"),
        ]  # fmt: skip
        process = subprocess.Popen(
            command,
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if echo:
                sys.stderr.write(line)
        return process.wait(), lines


def dbt_failure(lines: list[str]) -> str:
    """The most telling line of a failed dbt run."""
    for marker in ("raw database is missing", "raw table ", " is not a timestamp", "tracking_to"):
        for line in lines:
            if marker in line:
                return line.split("  ", 1)[-1].strip()
    interesting = [
        line.split("  ", 1)[-1].strip()
        for line in lines
        if any(word in line for word in ("Error", "FAIL ", "error"))
    ]
    return "; ".join(interesting[:3]) or (lines[-1] if lines else "dbt failed")


def dbt_env(db_path: Path, raw: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env["EROS_VOLUME_DB"] = str(db_path)
    env["EROS_EXTENSION_DIR"] = str(default_extension_dir())
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env[RAW_ENV] = str(raw) if raw else ""
    return env


def dbt_vars(
    as_of: str | None = None,
    tracking_from: str | None = None,
    tracking_to: str | None = None,
) -> list[str]:
    values: dict[str, str] = {}
    if as_of is not None:
        values["as_of"] = parse_timestamp(as_of)
    if tracking_from:
        values["tracking_from"] = parse_date(tracking_from, "--from")
    if tracking_to:
        values["tracking_to"] = parse_date(tracking_to, "--to")
    return ["--vars", json.dumps(values)] if values else []


def prepare_raw(raw: str | Path | None) -> Path | None:
    """Check a raw database path and install what reading it needs."""
    if raw is None or str(raw) == "":
        return None
    path = Path(raw).expanduser().resolve()
    if raw_database_kind(path) == "sqlite":
        ensure_sqlite_extension()
    return path


@contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """One build at a time per target file."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(
    db: str | Path | None = None,
    raw: str | Path | None = None,
    as_of: str | None = None,
    echo: bool = True,
) -> Path:
    """dbt build into a temporary file next to ``db``; swap it in only when everything passed."""
    db_path = Path(db).expanduser().resolve() if db else default_db_path()
    raw_path = prepare_raw(raw if raw is not None else os.environ.get(RAW_ENV))
    arguments = ["build", *dbt_vars(as_of)]
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        temporary = db_path.with_name(f"{db_path.name}.building-{os.getpid()}")
        remove_database(temporary)
        try:
            code, lines = run_dbt(arguments, dbt_env(temporary, raw_path), echo=echo)
            if code != 0:
                reason = dbt_failure(lines)
                error = BuildInputError if reason.startswith(RAW_INPUT_FAILURES) else BuildError
                raise error(f"build failed, {db_path} unchanged: {reason}")
            with duckdb.connect(str(temporary)) as con:
                con.execute("checkpoint")
            os.replace(temporary, db_path)
        finally:
            remove_database(temporary)
    return db_path


def remove_database(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)

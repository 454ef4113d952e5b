"""Build the DuckDB file with dbt, in a subprocess, into a temporary file swapped in on success.

Readers keep answering from the previous file during a build; a failed build (or failed test)
leaves it serving and raises BuildError with one line: the failing node and its cause, ending
with the path of dbt's full log. The temporary file is ``<db>.building`` (one build at a time per
file, under ``<db>.lock``): removed when the build ends however it ends (an exception, Ctrl-C,
SIGTERM through the CLI), and, when its process was killed outright, by the next build into the
same file.

A publishing build runs every model and data test (the unit tests run in CI, scripts/test.sh),
and keeps what dbt's saved parse depends on the same from one build to the next: the temporary
file's name, dbt's target folder (paths.dbt_state_dir) and the vars (``--as-of`` reaches dbt as
``EROS_AS_OF``, read only when the models run), so only the first build of a file parses the
project.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from . import change_control, dbt_runner, render
from .dbt_runner import DbtRun, Output, pid_alive
from .extensions import ensure_sqlite_extension, safe_config
from .paths import dbt_state_dir, default_extension_dir
from .store import default_db_path, freshness

RAW_ENV = "EROS_RAW_DB"
RAW_KIND_ENV = "EROS_RAW_KIND"  # 'sqlite', 'duckdb' or 'postgres': picks the profile's target
TEMPORARY_SUFFIX = ".building"
TEMPORARY_INFIX = ".building-"  # <db>.building-<pid>: the temporary files of earlier versions
AS_OF_ENV = "EROS_AS_OF"
# dbt build as a publication runs it: every model, seed and data test; no unit tests (they run
# in CI, scripts/test.sh) and no JSON artifacts (failures come from dbt's events: dbt_runner).
PUBLISH_ARGS = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]
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


def input_error(reason: str) -> bool:
    """Whether a dbt failure is a problem of the input (exit 2), not of the build."""
    return any(marker in reason for marker in RAW_INPUT_FAILURES)


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
    """'postgres' for a postgresql:// URL; 'sqlite' or 'duckdb' from the file's header; else
    BuildError."""
    from .postgres import is_postgres_url

    if is_postgres_url(path):
        return "postgres"
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


def run_dbt(
    args: list[str],
    env: dict[str, str],
    echo: bool = True,
    output: Output | None = None,
    target: Path | None = None,
) -> DbtRun:
    """dbt in a subprocess (see :mod:`.dbt_runner`); ``echo=False`` means ``output="quiet"``."""
    mode = output or ("progress" if echo else "quiet")
    return dbt_runner.run_dbt(args, env, mode, target=target)


def dbt_env(db_path: Path, raw: Path | str | None, as_of: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["EROS_VOLUME_DB"] = str(db_path)
    env["EROS_EXTENSION_DIR"] = str(default_extension_dir())
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env[RAW_ENV] = str(raw) if raw else ""
    env[RAW_KIND_ENV] = raw_database_kind(raw) if raw else ""
    env[AS_OF_ENV] = parse_timestamp(as_of) if as_of else ""
    return env


def settings_vars(settings: dict[str, Any] | None) -> list[str]:
    """``--vars`` for the checked ``--set`` values (rule_vars.parse_settings), if any."""
    return ["--vars", json.dumps(settings, sort_keys=True)] if settings else []


def dbt_vars(
    as_of: str | None = None,
    tracking_from: str | None = None,
    tracking_to: str | None = None,
) -> list[str]:
    """``--vars`` for dbt, every value checked first (BuildInputError: exit 2, dbt never starts)."""
    values: dict[str, str] = {}
    if as_of is not None:
        values["as_of"] = parse_timestamp(as_of)
    if tracking_from:
        values["tracking_from"] = parse_date(tracking_from, "--from")
    if tracking_to:
        values["tracking_to"] = parse_date(tracking_to, "--to")
    last = values.get("tracking_to") or values.get("tracking_from")
    if last and "as_of" in values and last > values["as_of"][:10]:
        raise BuildInputError(f"--to {last} is after the day of --as-of {values['as_of']}")
    return ["--vars", json.dumps(values)] if values else []


def prepare_raw(raw: str | Path | None) -> Path | str | None:
    """Check a raw database (a file path, or a PostgreSQL URL kept as it is) and install what
    reading it needs."""
    if raw is None or str(raw) == "":
        return None
    from .postgres import check_connection, is_postgres_url

    if is_postgres_url(raw):
        check_connection(str(raw))
        return str(raw)
    path = Path(raw).expanduser().resolve()
    if raw_database_kind(path) == "sqlite":
        ensure_sqlite_extension()
    return path


@contextmanager
def build_lock(db_path: Path, quiet: bool = False) -> Iterator[None]:
    """One build at a time per target file; a build that has to wait says so once."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not quiet:
                print(f"build: waiting for another build of {db_path} to finish", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def temporary_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + TEMPORARY_SUFFIX)


@contextmanager
def publishing(db_path: Path, quiet: bool = False) -> Iterator[Path]:
    """Under the build lock, a fresh temporary file to build into; checkpointed and swapped in
    over ``db_path`` when the block ends normally, removed however it ends."""
    with build_lock(db_path, quiet=quiet):
        remove_stale_temporaries(db_path)
        temporary = temporary_path(db_path)
        remove_database(temporary)
        try:
            yield temporary
            with duckdb.connect(str(temporary), config=safe_config()) as con:
                con.execute("checkpoint")
            os.replace(temporary, db_path)
        finally:
            remove_database(temporary)


def target_path(db: str | Path | None) -> Path:
    """The build file to write; its folder must exist unless it is the default one."""
    db_path = Path(db).expanduser().resolve() if db else default_db_path()
    if db is None:
        db_path.parent.mkdir(parents=True, exist_ok=True)  # build/ of a fresh checkout
    elif not db_path.parent.is_dir():
        raise BuildInputError(f"no such directory for the build file: {db_path.parent}")
    return db_path


def build(
    db: str | Path | None = None,
    raw: str | Path | None = None,
    as_of: str | None = None,
    echo: bool = True,
    output: Output | None = None,
    strict: bool = False,
    settings: dict[str, Any] | None = None,
) -> Path:
    """dbt build into a temporary file next to ``db``; swap it in only when everything passed.
    ``output``: "quiet", "progress" (a line per stage, the default) or "verbose" (dbt's log).
    Data older than the var stale_data_days before as_of is a one-line warning; with ``strict``,
    a failure (BuildError, the previous build keeps serving). ``settings``: rule var overrides
    (checked by rule_vars.parse_settings). The published history of the file being replaced
    carries forward (SPEC 9); when it cannot, one line says so."""
    raw_path = prepare_raw(raw if raw is not None else os.environ.get(RAW_ENV))
    as_of = parse_timestamp(as_of) if as_of is not None else None
    db_path = target_path(db)
    mode: Output = output or ("progress" if echo else "quiet")
    with publishing(db_path, quiet=mode == "quiet") as temporary:
        previous, skip = change_control.prepare_build(db_path, temporary, raw_path)
        run = run_dbt(
            PUBLISH_ARGS + settings_vars(settings) + skip,
            dbt_env(temporary, raw_path, as_of) | previous,
            output=mode,
            target=dbt_state_dir(db_path, raw_path),
        )
        if not run.ok:
            error = BuildInputError if input_error(run.reason) else BuildError
            raise error(f"build failed, {db_path} unchanged: {run.failure()}")
        check_freshness(temporary, db_path, strict, mode)
    note = change_control.history_note(db_path)
    if note and mode != "quiet":
        print(render.warning_line(note), file=sys.stderr)
    return db_path


def remove_database(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def check_freshness(temporary: Path, db_path: Path, strict: bool, mode: Output) -> None:
    """Data older than stale_data_days before as_of: a warning, or with ``strict`` BuildError."""
    with duckdb.connect(str(temporary), config=safe_config()) as con:
        stale = render.stale_data(freshness(con))
    if stale and strict:
        raise BuildError(f"build refused (--strict), {db_path} unchanged: {stale}")
    if stale and mode != "quiet":
        print(render.warning_line(stale), file=sys.stderr)


def remove_stale_temporaries(db_path: Path) -> list[Path]:
    """Remove ``<db>.building-<pid>`` (and ``.wal``) files left by builds of earlier versions
    whose process is gone (killed outright); the caller holds the build lock. Returns what was
    removed. (``<db>.building`` itself is removed by :func:`publishing`.)"""
    removed = []
    for candidate in db_path.parent.glob(f"{db_path.name}{TEMPORARY_INFIX}*"):
        pid = candidate.name[len(db_path.name) + len(TEMPORARY_INFIX) :].removesuffix(".wal")
        if pid.isdigit() and not pid_alive(int(pid)):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed

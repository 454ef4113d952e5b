"""Read-only access to the build file: cached read-only connections, short cursors, retry.

A build swaps a finished file in with ``os.replace``, so a reader sees the old file or the new one,
never a half-written one. A reader retries only while the file is locked (someone writing it in
place); anything else fails at once with one line: a missing file, a directory, a file that is not
DuckDB (its header is read before connecting, so a SQLite or text file never reaches DuckDB's
extension autoloading), a DuckDB file without the marts. No connection installs or loads an
extension.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from .extensions import safe_config

# Re-exported for old callers; their home is paths.
from .paths import DB_ENV as DB_ENV
from .paths import default_db_path as default_db_path

RETRY_SECONDS = 10.0
SQLITE_MAGIC = b"SQLite format 3\x00"
DUCKDB_MAGIC = b"DUCK"  # at byte offset 8 of a DuckDB file


class StoreUnavailable(RuntimeError):
    """The build file cannot be read (missing, or locked longer than the retry window)."""


# One read-only connection per build file and process, reopened when a build swaps a new file
# in (its identity changes); each lookup gets its own short-lived cursor. Opening a DuckDB file
# costs ~10 ms, a cursor ~0.1 ms. A held read-only connection never blocks a build: builds write
# a temporary file and rename it over the path.
_OPEN: dict[str, tuple[tuple[int, int, int, int], duckdb.DuckDBPyConnection, str]] = {}
_OPEN_LOCK = threading.Lock()


def _identity(path: Path) -> tuple[int, int, int, int]:
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _cursor(path: Path) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]:
    """(connection, cursor) on the file now at ``path``; the caller keeps the connection
    referenced while it uses the cursor."""
    identity = _identity(path)
    key = str(path.resolve())
    with _OPEN_LOCK:
        entry = _OPEN.get(key)
        if entry is None or entry[0] != identity:
            check_build_file(path)
            con = open_read_only(path)
            alias = con.execute("select current_database()").fetchone()[0]
            entry = _OPEN[key] = (identity, con, alias)
        _, con, alias = entry
        cursor = con.cursor()
    cursor.execute(f'use "{alias}"')
    return con, cursor


@contextmanager
def read_connection(
    path: str | Path, retry_seconds: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only cursor on the build file at ``path``, retried with backoff while it is locked
    (for ``retry_seconds``, default ``RETRY_SECONDS`` read at call time); a missing file is an
    error at once."""
    path = Path(path)
    wait = RETRY_SECONDS if retry_seconds is None else retry_seconds
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        try:
            con, cursor = _cursor(path)
            break
        except FileNotFoundError as exc:
            # Never built: a swap replaces the file atomically, so the path is never missing
            # between builds and waiting would not help.
            raise StoreUnavailable(f"cannot read {path}: run `eros-volume build` first") from exc
        except OSError as exc:
            raise StoreUnavailable(f"cannot read {path}: {exc.strerror or exc}") from exc
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "lock" not in reason.lower() or time.monotonic() >= deadline:
                raise StoreUnavailable(f"cannot read {path}: {reason}") from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
    try:
        yield cursor
    finally:
        cursor.close()
        del con


def check_build_file(path: Path) -> None:
    """StoreUnavailable at once unless ``path`` is a DuckDB file (by its header bytes)."""
    if path.is_dir():
        raise StoreUnavailable(f"{path} is a directory, not an eros-volume build")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        raise StoreUnavailable(
            f"{path} is a SQLite database, not an eros-volume build (to read it: "
            f"`eros-volume build --raw {path}`)"
        )
    if head[8:12] != DUCKDB_MAGIC:
        raise StoreUnavailable(f"{path} is not an eros-volume build (not a DuckDB file)")


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB with the build file at ``path`` attached read-only and in use.

    Not ``duckdb.connect(path)``: DuckDB keeps one database instance per path in a process, and
    while any thread still holds a connection to it, a new connection gets that instance, i.e. the
    file as it was before a build swapped a new one in (stale answers for as long as lookups
    overlap). An ATTACH opens whatever file is at ``path`` now."""
    con = duckdb.connect(":memory:", config=safe_config())
    try:
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' (read_only)")
        row = con.execute(
            "select database_name from duckdb_databases() where path is not null and readonly"
        ).fetchone()
        assert row is not None
        con.execute(f'use "{row[0]}"')
    except BaseException:
        con.close()
        raise
    return con


def plain(value: Any) -> Any:
    """A JSON-serialisable Python value: dates as YYYY-MM-DD, decimals as float."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[dict[str, Any]]:
    """Rows of a parameterised query as plain dicts."""
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, map(plain, row), strict=True)) for row in cursor.fetchall()]


def freshness(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The build's one data_freshness row (as_of, the newest message and tracking row, their age,
    whether each is stale), or None for a build made before that mart existed."""
    found = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database()"
        " and table_name = 'data_freshness'"
        " union all select count(*) from duckdb_views() where database_name = current_database()"
        " and view_name = 'data_freshness'"
    ).fetchall()
    if not any(count for (count,) in found):
        return None
    rows = fetch_dicts(con, "select * from data_freshness")
    return rows[0] if rows else None

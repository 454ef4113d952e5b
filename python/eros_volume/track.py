"""The tracking job (SPEC 6): compute the day's tracking rows with dbt and upsert them into the
operational database's ``volume_performance_tracking`` table.

``eros-volume track`` is the only command that writes to the raw database. It runs dbt into a
private temporary build file (deleted afterwards; the served build file is not touched), reads the
``volume_performance_tracking_daily`` mart, and writes its rows in one transaction, on the table's
unique key (creator_id, tracking_date, tracking_period): a row already there with other values is
updated, a new one inserted, an equal one left alone. A second run with the same data and as_of
therefore changes nothing; any failure rolls the whole write back.

The rows, scores and deltas all come from the mart: no rule lives here.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .build import (
    RAW_ENV,
    BuildError,
    dbt_env,
    dbt_failure,
    dbt_vars,
    prepare_raw,
    raw_database_kind,
    run_dbt,
)
from .store import fetch_dicts

TABLE = "volume_performance_tracking"
MART = "volume_performance_tracking_daily"
KEY = ("creator_id", "tracking_date", "tracking_period")
# The mart's columns, in the raw table's order (raw_schema.sql).
COLUMNS = (
    "creator_id",
    "tracking_date",
    "tracking_period",
    "avg_daily_volume",
    "total_messages_sent",
    "avg_revenue_per_send",
    "avg_view_rate",
    "avg_purchase_rate",
    "total_earnings",
    "revenue_per_send_trend",
    "view_rate_trend",
    "purchase_rate_trend",
    "earnings_volatility",
    "saturation_score",
    "opportunity_score",
    "recommended_volume_delta",
    "calculated_at",
)
REQUIRED = (*KEY, "saturation_score")

# A missing table is created in the original schema: raw_schema.sql's statement on SQLite, its
# DuckDB rendering (generate.py, shared with the raw database generator) on DuckDB.
DUCKDB_SEQUENCE = "volume_performance_tracking_tracking_id_seq"


class TrackError(BuildError):
    """The tracking job failed; the raw database is unchanged. One line for the user."""


@dataclass
class TrackResult:
    """What a tracking run wrote."""

    raw: Path
    kind: str
    dates: list[str]
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    created_table: bool = False
    skipped_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        days = (
            "no day"
            if not self.dates
            else self.dates[0]
            if len(self.dates) == 1
            else f"{self.dates[0]}..{self.dates[-1]} ({len(self.dates)} days)"
        )
        text = (
            f"{self.rows} tracking rows for {days} into {self.raw} ({self.kind}, {TABLE}): "
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.created_table:
            text += f"; created table {TABLE}"
        if self.skipped_columns:
            text += f"; columns not in the table, not written: {', '.join(self.skipped_columns)}"
        return text


def resolve_raw(raw: str | Path | None) -> Path:
    """The raw database to track into: ``raw`` or $EROS_RAW_DB; TrackError when neither."""
    chosen = raw if raw not in (None, "") else os.environ.get(RAW_ENV)
    if not chosen:
        raise TrackError(
            f"the tracking job writes to an operational database: give --raw PATH or set {RAW_ENV}"
        )
    path = prepare_raw(chosen)
    assert path is not None
    return path


def compute_rows(
    raw: str | Path | None,
    as_of: str | None = None,
    tracking_from: str | None = None,
    tracking_to: str | None = None,
    echo: bool = True,
) -> list[dict[str, Any]]:
    """The tracking rows of the day of ``as_of`` (or of each day of the range), from a dbt build
    of the mart and what it needs into a temporary file, deleted afterwards."""
    raw_path = resolve_raw(raw)
    arguments = [
        "build",
        "--select",
        f"+{MART}",
        "--indirect-selection",
        "cautious",
        *dbt_vars(as_of, tracking_from, tracking_to),
    ]
    with tempfile.TemporaryDirectory(prefix="eros-volume-track-") as directory:
        db_path = Path(directory) / "track.duckdb"
        code, lines = run_dbt(arguments, dbt_env(db_path, raw_path), echo=echo)
        if code != 0:
            raise TrackError(f"tracking failed, {raw_path} unchanged: {dbt_failure(lines)}")
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            columns = ", ".join(COLUMNS)
            return fetch_dicts(
                con, f"select {columns} from {MART} order by tracking_date, creator_id"
            )
        finally:
            con.close()


def track(
    raw: str | Path | None,
    as_of: str | None = None,
    tracking_from: str | None = None,
    tracking_to: str | None = None,
    echo: bool = True,
) -> TrackResult:
    """Compute the tracking rows and upsert them into the raw database, in one transaction."""
    raw_path = resolve_raw(raw)
    rows = compute_rows(raw_path, as_of, tracking_from, tracking_to, echo=echo)
    return upsert(raw_path, rows)


# --- writing -----------------------------------------------------------------------------------


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_normal(row[name]) for name in KEY)


def _normal(value: Any) -> Any:
    """A stored value in the form the mart's rows have (dates and timestamps as text)."""
    from .store import plain

    value = plain(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _same(old: Any, new: Any) -> bool:
    old, new = _normal(old), _normal(new)
    if isinstance(old, int | float) and isinstance(new, int | float):
        return math.isclose(old, new, rel_tol=1e-12, abs_tol=1e-12)
    return old == new


class _Writer:
    """One engine's side of the upsert; the caller holds the transaction."""

    kind = ""
    mark = "?"

    def __init__(self, path: Path) -> None:
        self.path = path

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: list[list[Any]]) -> None:
        raise NotImplementedError

    def table_exists(self) -> bool:
        raise NotImplementedError

    def create_table(self) -> None:
        raise NotImplementedError

    def columns(self) -> list[str]:
        raise NotImplementedError

    def has_unique_key(self) -> bool:
        raise NotImplementedError

    def existing(self, columns: Sequence[str], periods: Sequence[str]) -> dict[tuple, dict]:
        marks = ", ".join(self.mark for _ in periods)
        cursor = self.execute(
            f"select {', '.join(columns)} from {TABLE} where tracking_period in ({marks})",
            list(periods),
        )
        found: dict[tuple, dict] = {}
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            found.setdefault(_key(row), row)
        return found


class _SqliteWriter(_Writer):
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.con = sqlite3.connect(path, isolation_level=None, timeout=30)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.con.execute(sql, params)

    def executemany(self, sql: str, rows: list[list[Any]]) -> None:
        self.con.executemany(sql, rows)

    def begin(self) -> None:
        self.con.execute("begin immediate")

    def table_exists(self) -> bool:
        found = self.execute(
            "select count(*) from sqlite_master where type = 'table' and name = ?", [TABLE]
        ).fetchone()
        return bool(found[0])

    def create_table(self) -> None:
        # One statement from the original schema (executescript would commit on its own).
        self.execute(sqlite_table_ddl())

    def columns(self) -> list[str]:
        return [row[1].lower() for row in self.execute(f"pragma table_info({TABLE})")]

    def has_unique_key(self) -> bool:
        for _, name, unique, *rest in self.execute(f"pragma index_list({TABLE})").fetchall():
            partial = rest[1] if len(rest) > 1 else 0
            if not unique or partial:
                continue
            quoted = name.replace('"', '""')
            info = self.execute(f'pragma index_info("{quoted}")').fetchall()
            columns = {row[2].lower() for row in info if row[2]}
            if columns == set(KEY):
                return True
        return False

    def commit(self) -> None:
        self.con.execute("commit")

    def rollback(self) -> None:
        if self.con.in_transaction:
            self.con.execute("rollback")

    def close(self) -> None:
        self.con.close()


class _DuckdbWriter(_Writer):
    kind = "duckdb"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.con = duckdb.connect(str(path))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.con.execute(sql, list(params))

    def executemany(self, sql: str, rows: list[list[Any]]) -> None:
        self.con.executemany(sql, rows)

    def begin(self) -> None:
        self.con.execute("begin transaction")

    def _where(self) -> str:
        return "database_name = current_database() and schema_name = 'main' and table_name = ?"

    def table_exists(self) -> bool:
        found = self.execute(f"select count(*) from duckdb_tables() where {self._where()}", [TABLE])
        return bool(found.fetchone()[0])

    def create_table(self) -> None:
        from .generate import duckdb_ddl

        self.execute(f"create sequence if not exists {DUCKDB_SEQUENCE}")
        self.execute(duckdb_ddl(TABLE))

    def columns(self) -> list[str]:
        cursor = self.execute(
            f"select column_name from duckdb_columns() where {self._where()} order by column_index",
            [TABLE],
        )
        return [row[0].lower() for row in cursor.fetchall()]

    def has_unique_key(self) -> bool:
        cursor = self.execute(
            "select constraint_column_names from duckdb_constraints() where "
            f"{self._where()} and constraint_type in ('UNIQUE', 'PRIMARY KEY')",
            [TABLE],
        )
        return any({c.lower() for c in row[0]} == set(KEY) for row in cursor.fetchall())

    def commit(self) -> None:
        self.con.execute("commit")

    def rollback(self) -> None:
        with contextlib.suppress(duckdb.Error):  # no transaction left to roll back
            self.con.execute("rollback")

    def close(self) -> None:
        self.con.close()


def sqlite_table_ddl() -> str:
    """raw_schema.sql's CREATE TABLE statement of volume_performance_tracking."""
    from .generate import RAW_SCHEMA_PATH, raw_schema_statements

    for statement in raw_schema_statements()[0]:
        if statement.split("(", 1)[0].split()[-1].lower() == TABLE:
            return statement
    raise TrackError(f"no CREATE TABLE {TABLE} in {RAW_SCHEMA_PATH}")


@contextmanager
def _transaction(path: Path, kind: str) -> Iterator[_SqliteWriter | _DuckdbWriter]:
    try:
        writer = _SqliteWriter(path) if kind == "sqlite" else _DuckdbWriter(path)
    except (sqlite3.Error, duckdb.Error) as exc:
        raise TrackError(f"cannot open {path} for writing: {_one_line(exc)}") from exc
    try:
        writer.begin()
        yield writer
        writer.commit()
    except (sqlite3.Error, duckdb.Error) as exc:
        writer.rollback()
        raise TrackError(f"writing {TABLE} failed, {path} unchanged: {_one_line(exc)}") from exc
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.close()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def upsert(
    raw: str | Path,
    rows: list[dict[str, Any]],
    before_write: Callable[[Any], None] | None = None,
) -> TrackResult:
    """Upsert ``rows`` (the mart's, dates as 'YYYY-MM-DD', timestamps 'YYYY-MM-DD HH:MM:SS') into
    the raw database's volume_performance_tracking table, in one transaction; create the table
    (the original schema) when it is missing. ``before_write`` is a test hook."""
    path = Path(raw).expanduser().resolve()
    kind = raw_database_kind(path)
    dates = sorted({row["tracking_date"] for row in rows})
    result = TrackResult(raw=path, kind=kind, dates=dates, rows=len(rows))
    if not rows:
        return result
    with _transaction(path, kind) as writer:
        if not writer.table_exists():
            writer.create_table()
            result.created_table = True
        present = writer.columns()
        missing = [name for name in REQUIRED if name not in present]
        if missing:
            raise TrackError(
                f"{path}: table {TABLE} lacks column(s) {', '.join(missing)}; nothing written"
            )
        columns = [name for name in COLUMNS if name in present]
        result.skipped_columns = [name for name in COLUMNS if name not in present]
        periods = sorted({row["tracking_period"] for row in rows})
        existing = writer.existing(columns, periods)

        inserts: list[list[Any]] = []
        updates: list[list[Any]] = []
        for row in rows:
            old = existing.get(_key(row))
            if old is None:
                inserts.append([row[name] for name in columns])
            elif all(_same(old[name], row[name]) for name in columns):
                result.unchanged += 1
            else:
                updates.append([row[name] for name in columns])
        result.inserted, result.updated = len(inserts), len(updates)

        if before_write is not None:
            before_write(writer)
        names = ", ".join(columns)
        marks = ", ".join(writer.mark for _ in columns)
        insert = f"insert into {TABLE} ({names}) values ({marks})"
        values = [name for name in columns if name not in KEY]
        if writer.has_unique_key():
            assignments = ", ".join(f"{name} = excluded.{name}" for name in values)
            upsert_sql = f"{insert} on conflict ({', '.join(KEY)}) do update set {assignments}"
            if inserts or updates:
                writer.executemany(upsert_sql, inserts + updates)
        else:
            # No unique constraint to conflict on: update the rows of the key, insert the others.
            assignments = ", ".join(f"{name} = ?" for name in values)
            where = " and ".join(f"{name} = ?" for name in KEY)
            if updates:
                writer.executemany(
                    f"update {TABLE} set {assignments} where {where}",
                    [
                        [row[columns.index(n)] for n in values]
                        + [row[columns.index(n)] for n in KEY]
                        for row in updates
                    ],
                )
            if inserts:
                writer.executemany(insert, inserts)
    return result

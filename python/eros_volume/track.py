"""The tracking job (SPEC 6): compute the day's tracking rows with dbt and upsert them into the
operational database's ``volume_performance_tracking`` table.

``eros-volume track`` is the only command that writes to the raw database. It runs dbt into a
private temporary build file (deleted afterwards; the served build file is not touched) and
writes the ``volume_performance_tracking_daily`` mart's rows in SQL, through the raw database
attached to DuckDB, in one transaction, on the table's unique key (creator_id, tracking_date,
tracking_period): a row already there with other values is updated, a new one inserted, an
equal one left alone. A second run with the same data and as_of therefore changes nothing; any
failure rolls the whole write back (a table the run created included).

The rows, scores and deltas all come from the mart: no rule lives here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from . import postgres, raw_schema
from .build import (
    RAW_ENV,
    BuildError,
    BuildInputError,
    dbt_env,
    dbt_vars,
    parse_date,
    prepare_raw,
    raw_database_kind,
    run_dbt,
)
from .extensions import duckdb_config
from .store import fetch_dicts

TABLE = "volume_performance_tracking"
MART = "volume_performance_tracking_daily"
KEY = raw_schema.tables()[TABLE].unique[0]  # (creator_id, tracking_date, tracking_period)
# The mart's columns: the raw table's, without its own id.
COLUMNS = tuple(
    name for name in raw_schema.columns(TABLE) if name != raw_schema.autoincrement_column(TABLE)
)
REQUIRED = (*KEY, "saturation_score")
# Text forms of the mart's dates and timestamps, as the original stores them.
_TEXT_FORMATS = {"DATE": "%Y-%m-%d", "TIMESTAMP": "%Y-%m-%d %H:%M:%S"}


class TrackError(BuildError):
    """The tracking job failed; the raw database is unchanged. One line for the user."""


class TrackInputError(TrackError, BuildInputError):
    """Bad arguments of the tracking job (exit 2), found before any work."""


@dataclass
class TrackResult:
    """What a tracking run wrote."""

    raw: Path | str  # a file, or a PostgreSQL URL (shown without its password)
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


def check_arguments(
    raw: str | Path | None,
    as_of: str | None = None,
    tracking_from: str | None = None,
    tracking_to: str | None = None,
) -> None:
    """Refuse bad arguments before any work (TrackInputError): no raw database, a malformed
    timestamp or date, ``--from`` after ``--to``."""
    if raw in (None, "") and not os.environ.get(RAW_ENV):
        raise TrackInputError(
            f"the tracking job writes to an operational database: give --raw PATH or set {RAW_ENV}"
        )
    dbt_vars(as_of, tracking_from, tracking_to)  # raises on a malformed value
    if tracking_from and tracking_to:
        first, last = parse_date(tracking_from, "--from"), parse_date(tracking_to, "--to")
        if first > last:
            raise TrackInputError(f"--from {first} is after --to {last}")


def resolve_raw(raw: str | Path | None) -> Path | str:
    """The raw database to track into: ``raw`` or $EROS_RAW_DB; TrackError when neither."""
    check_arguments(raw)
    path = prepare_raw(raw if raw not in (None, "") else os.environ[RAW_ENV])
    assert path is not None
    return path


@contextmanager
def _mart_build(
    raw_path: Path | str,
    as_of: str | None,
    tracking_from: str | None,
    tracking_to: str | None,
    echo: bool,
) -> Iterator[Path]:
    """A temporary build file holding the mart (and what it needs), deleted afterwards. The
    models' data tests gate the rows; their unit tests do not run here (they pin their own
    as_of, and a backfill range's vars would change what they read)."""
    arguments = [
        "build",
        "--select",
        f"+{MART}",
        "--indirect-selection",
        "cautious",
        "--exclude-resource-type",
        "unit_test",
        *dbt_vars(as_of, tracking_from, tracking_to),
    ]
    with tempfile.TemporaryDirectory(prefix="eros-volume-track-") as directory:
        db_path = Path(directory) / "track.duckdb"
        run = run_dbt(arguments, dbt_env(db_path, raw_path), echo=echo)
        if not run.ok:
            raise TrackError(f"tracking failed, {_shown(raw_path)} unchanged: {run.failure()}")
        yield db_path


def compute_rows(
    raw: str | Path | None,
    as_of: str | None = None,
    tracking_from: str | None = None,
    tracking_to: str | None = None,
    echo: bool = True,
) -> list[dict[str, Any]]:
    """The tracking rows of the day of ``as_of`` (or of each day of the range), as dicts."""
    check_arguments(raw, as_of, tracking_from, tracking_to)
    with _mart_build(resolve_raw(raw), as_of, tracking_from, tracking_to, echo) as db_path:
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            ordered = f"select * from ({_mart_rows_sql()}) order by tracking_date, creator_id"
            return fetch_dicts(con, ordered)
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
    check_arguments(raw, as_of, tracking_from, tracking_to)
    raw_path = resolve_raw(raw)
    with _mart_build(raw_path, as_of, tracking_from, tracking_to, echo) as db_path:
        con = duckdb.connect(str(db_path), config=duckdb_config())
        try:
            con.execute(f"create temp table new_rows as {_mart_rows_sql()}")
            return _write(con, raw_path)
        finally:
            con.close()


def _mart_rows_sql() -> str:
    """The mart's rows with the raw table's columns and types (dates and timestamps as text)."""
    columns = []
    for c in raw_schema.tables()[TABLE].columns:
        if c.name not in COLUMNS:
            continue
        target = raw_schema.column_type(c, "duckdb")
        columns.append(f"cast({c.name} as {target}) as {c.name}")
    return f"select {', '.join(columns)} from main.{MART}"


def upsert(raw: str | Path, rows: list[dict[str, Any]]) -> TrackResult:
    """Upsert ``rows`` (the mart's columns; dates as 'YYYY-MM-DD', timestamps 'YYYY-MM-DD
    HH:MM:SS') into the raw database's volume_performance_tracking table, in one transaction."""
    raw_path = resolve_raw(raw)
    con = duckdb.connect(config=duckdb_config())
    try:
        spec = {c.name: c for c in raw_schema.tables()[TABLE].columns}
        types = ", ".join(f"{n} {raw_schema.column_type(spec[n], 'duckdb')}" for n in COLUMNS)
        con.execute(f"create temp table new_rows ({types})")
        if rows:
            marks = ", ".join("?" for _ in COLUMNS)
            con.executemany(
                f"insert into temp.new_rows values ({marks})",
                [[row.get(name) for name in COLUMNS] for row in rows],
            )
        return _write(con, raw_path)
    finally:
        con.close()


# --- the write: SQL through the attached raw database --------------------------------------------


def _write(con: duckdb.DuckDBPyConnection, raw_path: Path | str) -> TrackResult:
    """Upsert temp.new_rows into the raw table, attached as ``raw``, in one transaction."""
    kind = raw_database_kind(raw_path)
    (dates, count) = con.execute(
        "select coalesce(list(distinct tracking_date order by tracking_date), []), count(*)"
        " from temp.new_rows"
    ).fetchone() or ([], 0)
    result = TrackResult(raw=_shown(raw_path), kind=kind, dates=list(dates), rows=int(count))
    if not count:
        return result
    previous = _attach(con, raw_path, kind)
    try:
        con.execute("begin transaction")
        _upsert_sql(con, kind, result)
        con.execute("commit")
    except duckdb.Error as exc:
        _rollback(con)
        message = postgres.one_line(exc, str(raw_path))
        shown = _shown(raw_path)
        raise TrackError(f"writing {TABLE} failed, {shown} unchanged: {message}") from None
    except BaseException:
        _rollback(con)
        raise
    finally:
        con.execute(f"use {previous}")
        con.execute("detach raw")
    return result


def _attach(con: duckdb.DuckDBPyConnection, raw_path: Path | str, kind: str) -> str:
    """Attach the raw database as ``raw`` and make it the default; return the previous one."""
    (previous,) = con.execute("select current_database()").fetchone() or ("memory",)
    if kind == "postgres":
        postgres.attach(con, str(raw_path), "raw", read_only=False)
    else:
        options = " (type sqlite)" if kind == "sqlite" else ""
        try:
            con.execute(f"attach '{_quote(str(raw_path))}' as raw{options}")
        except duckdb.Error as exc:
            message = postgres.one_line(exc, str(raw_path))
            raise TrackError(f"cannot open {raw_path} for writing: {message}") from None
    con.execute(f"use raw.{postgres.SCHEMA}" if kind == "postgres" else "use raw")
    return str(previous)


def _upsert_sql(con: duckdb.DuckDBPyConnection, kind: str, result: TrackResult) -> None:
    """Create the table if missing, then insert the new keys and update the changed rows."""
    if not _columns_present(con):
        _create_table(con, kind)
        result.created_table = True
    present = _columns_present(con)
    missing = [name for name in REQUIRED if name not in present]
    if missing:
        raise TrackError(
            f"{result.raw}: table {TABLE} lacks column(s) {', '.join(missing)}; nothing written"
        )
    columns = [name for name in COLUMNS if name in present]
    result.skipped_columns = [name for name in COLUMNS if name not in present]
    match = " and ".join(f"t.{name} = s.{name}" for name in KEY)
    differs = " or ".join(f"t.{name} is distinct from s.{name}" for name in columns)
    counts = con.execute(
        f"""
        select
            count(*) filter (where not exists (select 1 from {TABLE} as t where {match})),
            count(*) filter (where exists (
                select 1 from {TABLE} as t where {match} and ({differs})
            ))
        from temp.new_rows as s
        """
    ).fetchone()
    result.inserted, result.updated = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    result.unchanged = result.rows - result.inserted - result.updated
    names = ", ".join(columns)
    con.execute(
        f"insert into {TABLE} ({names}) select {names} from temp.new_rows as s"
        f" where not exists (select 1 from {TABLE} as t where {match})"
    )
    assignments = ", ".join(f"{name} = s.{name}" for name in columns if name not in KEY)
    con.execute(
        f"update {TABLE} as t set {assignments} from temp.new_rows as s"
        f" where {match} and ({differs})"
    )


def _columns_present(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = 'raw'"
        " and schema_name = current_schema() and table_name = ? order by column_index",
        [TABLE],
    ).fetchall()
    return [row[0].lower() for row in rows]


def _create_table(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """The original table, created inside the open transaction: in PostgreSQL by PostgreSQL
    itself (an identity key); otherwise in DuckDB's syntax through the attachment (on SQLite
    the id is an INTEGER PRIMARY KEY, SQLite's own auto-assigned key)."""
    if kind == "postgres":
        for statement in raw_schema.create_table(TABLE, "postgres"):
            postgres.execute(con, "raw", statement)
        con.execute("call pg_clear_cache()")
        return
    for statement in raw_schema.create_table(TABLE, "duckdb", rowid_key=kind == "sqlite"):
        con.execute(statement)


def _shown(raw: Path | str) -> Path | str:
    """The raw database as the user may see it (a URL without its password)."""
    return postgres.redact(raw) if postgres.is_postgres_url(raw) else raw


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # no transaction left to roll back
        con.execute("rollback")


def _quote(text: str) -> str:
    return text.replace("'", "''")

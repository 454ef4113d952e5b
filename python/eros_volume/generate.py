"""Deterministic synthetic raw databases in the original operational schema, for benchmarks.

``generate(out, creators, days, messages_per_creator_per_day)`` writes a SQLite file created with
``raw_schema.sql`` as it is (the original DDL, indexes and generated columns), or a DuckDB file
with the same tables and columns (``fmt="duckdb"``), both from :mod:`eros_volume.raw_schema`.
Everything is computed by DuckDB SQL (``generate_sql/*.sql``, one file per table drawn) from
hashes of the seed: the same arguments give the same data, in either format (with a given DuckDB
version: DuckDB does not promise its ``hash`` stays the same across versions). Fan-count levels
use the tier lower bounds of ``seeds/volume_tiers.csv``.

What the data looks like (all shares approximate):

- ``creators``: ids ``c000001``...; fan counts log-normal (median about 2,000, long tail up to 2
  million): a third Low, 37 % Mid, 18 % High, 11 % Ultra; 80 % paid / 20 % free; 95 % active.
  ``dirty_fraction`` of them (default 0.2 %) have a null or negative fan count and as many a page
  type spelled ``' Paid'`` / ``'FREE'``, so the data-quality paths of the rules are exercised.
- ``creator_personas``: one row for 85 % of creators, 3 % of those with an older second row.
- ``mass_messages``: on each of the ``days`` 24-hour periods ending at ``as_of``, each creator
  sends ``messages_per_creator_per_day`` messages on average (the creator's own rate spreads from
  0.25x to 1.75x the mean, and varies by day); the total is ``creators * days *
  messages_per_creator_per_day`` within about 1 %. 85 % PPV, 15 % free (price 0); times peak at
  18:00 and are never after ``as_of``; ``sent_count`` 55-95 % of the fans, views 20-60 % and
  purchases 1-10 % of ``sent_count`` (before rounding), drifting up or down over the period per
  creator (so the on-demand scores spread); ``earnings = purchased_count * price``.
- ``volume_performance_tracking``: for 30 % of creators, 14d rows on the last 1-5 days up to
  ``date(as_of)`` (some end a day or two earlier, a few are stale, older than 14 days), plus 7d and
  30d rows for a fifth of them; scores 0-100, ``revenue_per_send_trend`` -40..40. Dirty rows:
  out-of-range scores, null opportunity, a row dated after ``as_of``.
- ``top_content_types``: 5 ranked types on one or two analysis dates for 40 % of creators.
- ``volume_assignments`` (legacy): one active row for 90 % of creators, its level the fan count's
  in half the cases and any level otherwise; older inactive rows for a third of creators.

Speed (2 cores, measured): 2 M messages in 3-5 s (280 MB); 20 M in 45-65 s (2.9 GB), of which the
load through DuckDB's SQLite scanner is about 25 s and the two indexes, built after it, 20 s. The
DuckDB format: 20 M in 25-35 s (610 MB).
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from string import Template

import duckdb

from . import raw_schema
from .extensions import duckdb_config, ensure_sqlite_extension
from .paths import project_dir

SQL_DIR = Path(__file__).with_name("generate_sql")
# The order of the tables drawn before the messages: each reads the ones before it.
_STEPS = (
    "tiers",
    "base",
    "creators",
    "creator_personas",
    "plan",
    "volume_performance_tracking",
    "top_content_types",
    "volume_assignments",
)
# Rows of mass_messages per batch: one INSERT (and one progress line) each.
_BATCH_ROWS = 1_000_000


@dataclass(frozen=True)
class _Params:
    creators: int
    days: int
    rate: float
    seed: int
    as_of: datetime
    dirty: float

    def values(self) -> dict[str, object]:
        """The values the SQL files of generate_sql/ are filled with."""
        clock = self.as_of.hour * 3600 + self.as_of.minute * 60 + self.as_of.second
        tiers = project_dir() / "seeds" / "volume_tiers.csv"
        return {
            "creators": self.creators,
            "days": self.days,
            "days_m1": max(self.days - 1, 1),
            "rate": self.rate,
            "seed": self.seed,
            "dirty": self.dirty,
            "as_of": f"timestamp '{self.as_of:%Y-%m-%d %H:%M:%S}'",
            "as_of_date": f"date '{self.as_of:%Y-%m-%d}'",
            "as_of_us": _epoch_us(self.as_of),
            "as_of_clock": clock,
            "tiers_csv": f"'{_quote(str(tiers))}'",
        }


def _sql(name: str, p: _Params, **extra: object) -> str:
    """generate_sql/<name>.sql with its $placeholders filled."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return Template(text).substitute(p.values(), **extra)


def parse_as_of(as_of: str | datetime | date | None) -> datetime:
    """``as_of`` as a naive datetime to the second. ``None`` is today at 12:00:00; a bare date
    (``'2025-12-16'``) is that day at 12:00:00, like the default."""
    if as_of is None:
        return datetime.combine(date.today(), datetime.min.time()).replace(hour=12)
    if isinstance(as_of, datetime):
        value = as_of
    elif isinstance(as_of, date):
        return datetime(as_of.year, as_of.month, as_of.day, 12)
    else:
        text = as_of.strip()
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(hour=12)
        value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return value.replace(microsecond=0)


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            print(f"[generate {elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


def generate(
    out: str | Path,
    creators: int,
    days: int,
    messages_per_creator_per_day: float,
    fmt: str = "sqlite",
    seed: int = 0,
    as_of: str | datetime | date | None = None,
    progress: bool = True,
    *,
    overwrite: bool = False,
    dirty_fraction: float = 0.002,
    extension_dir: str | Path | None = None,
) -> dict[str, int]:
    """Write a raw database of ``creators`` creators and ``days`` days of mass messages ending at
    ``as_of`` to ``out`` and return the row count of each table.

    ``fmt``: ``"sqlite"`` (created with ``raw_schema.sql``) or ``"duckdb"``. The file is written
    beside ``out`` under a temporary name and renamed at the end; an existing ``out`` is an error
    (:class:`FileExistsError`) unless ``overwrite``.
    """
    _check(fmt, creators, days, messages_per_creator_per_day, dirty_fraction)
    target = Path(out)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists (pass overwrite=True to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    params = _Params(
        creators=creators,
        days=days,
        rate=float(messages_per_creator_per_day),
        seed=int(seed),
        as_of=parse_as_of(as_of),
        dirty=float(dirty_fraction),
    )
    log = _Progress(progress)
    log(
        f"{fmt} {target}: {creators:,} creators, {days} days to {params.as_of:%Y-%m-%d %H:%M:%S}, "
        f"{params.rate:g} messages/creator/day, seed {params.seed}"
    )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(tmp)
    try:
        if fmt == "sqlite":
            counts = _write_sqlite(tmp, params, log, extension_dir)
        else:
            counts = _write_duckdb(tmp, params, log)
        _move(tmp, target, overwrite)
    finally:
        _remove(tmp)
    size = target.stat().st_size
    log(f"done: {sum(counts.values()):,} rows, {size / 1e6:,.1f} MB in {target}")
    return counts


def _check(fmt: str, creators: int, days: int, rate: float, dirty: float) -> None:
    if fmt not in ("sqlite", "duckdb"):
        raise ValueError(f"fmt must be 'sqlite' or 'duckdb', not {fmt!r}")
    if creators < 1 or creators > 999_999_999:
        raise ValueError("creators must be between 1 and 999,999,999")
    if days < 1:
        raise ValueError("days must be at least 1")
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError("messages_per_creator_per_day must be a finite number >= 0")
    if not 0 <= dirty <= 0.5:
        raise ValueError("dirty_fraction must be between 0 and 0.5")


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}.wal"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)


def _move(tmp: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    # A hard link fails if the target appeared meanwhile: never overwrite by a race.
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(f"{target} exists (pass overwrite=True to replace it)") from None
    except OSError:
        if target.exists():
            raise FileExistsError(f"{target} exists (pass overwrite=True to replace it)") from None
        os.replace(tmp, target)
        return
    tmp.unlink()


# ---------------------------------------------------------------------------------------------
# The data, in DuckDB SQL (generate_sql/). _prepare() fills temp tables g_<table> for every
# table but mass_messages, and g_plan (one row per creator and day: how many messages, where
# their ids start); mass_messages.sql selects a range of creators' messages from the plan.
# ---------------------------------------------------------------------------------------------


def _prepare(con: duckdb.DuckDBPyConnection, p: _Params) -> None:
    for statement in _sql("macros", p).split(";"):
        if statement.strip():
            con.execute(statement)
    for step in _STEPS:
        con.execute(_sql(step, p))


def _epoch_us(value: datetime) -> int:
    delta = value - datetime(1970, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 1_000_000


def _message_batches(con: duckdb.DuckDBPyConnection, p: _Params) -> Iterator[tuple[int, int, int]]:
    """Ranges [lo, hi) of creator idx holding about _BATCH_ROWS messages each, and their rows."""
    rows = con.execute("select idx, sum(n) from g_plan group by idx order by idx").fetchall()
    lo = 1
    total = 0
    for idx, n in rows:
        total += int(n)
        if total >= _BATCH_ROWS:
            yield lo, idx + 1, total
            lo = idx + 1
            total = 0
    if total:
        yield lo, p.creators + 1, total


def _typed(table: str, select_sql: str) -> str:
    """``select_sql`` with every column cast to its type in the DuckDB format."""
    casts = ", ".join(
        f"{c.name}::{raw_schema.column_type(c, 'duckdb')} as {c.name}"
        for c in raw_schema.tables()[table].columns
    )
    return f"select {casts} from ({select_sql})"


def _build(
    con: duckdb.DuckDBPyConnection,
    p: _Params,
    log: _Progress,
    insert: Callable[[str, str], int],
) -> dict[str, int]:
    """Hand each table (a SELECT over the tables of :func:`_prepare`) to
    ``insert(table, select_sql)``, mass_messages in batches."""
    counts: dict[str, int] = {}
    for table in raw_schema.TABLES:
        if table == "mass_messages":
            continue
        counts[table] = insert(table, _typed(table, f"select * from g_{table}"))
        log(f"{table}: {counts[table]:,} rows")
    counts["mass_messages"] = 0
    planned = con.execute("select coalesce(sum(n), 0) from g_plan").fetchone()
    expected = int(planned[0]) if planned else 0
    for lo, hi, _ in _message_batches(con, p):
        select_sql = _typed("mass_messages", _sql("mass_messages", p, lo=lo, hi=hi))
        counts["mass_messages"] += insert("mass_messages", select_sql)
        log(f"mass_messages: {counts['mass_messages']:,} / {expected:,} rows")
    return {table: counts[table] for table in raw_schema.TABLES}


def _insert_sql(target: str, table: str, select_sql: str) -> str:
    return f"insert into {target}.{table} ({', '.join(raw_schema.columns(table))}) {select_sql}"


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def _write_sqlite(
    path: Path, p: _Params, log: _Progress, extension_dir: str | Path | None
) -> dict[str, int]:
    # The original DDL, by SQLite itself; the indexes are created after the load (faster).
    with sqlite3.connect(path) as sq:
        for table in raw_schema.TABLES:
            sq.execute(raw_schema.create_table(table, "sqlite")[0])
    sq.close()
    ensure_sqlite_extension(extension_dir)
    con = duckdb.connect(config=duckdb_config(extension_dir))
    try:
        con.execute(f"attach '{_quote(str(path))}' as raw (type sqlite)")

        def insert(table: str, select_sql: str) -> int:
            con.execute("begin transaction")
            row = con.execute(_insert_sql("raw", table, select_sql)).fetchone()
            con.execute("commit")
            return int(row[0]) if row else 0

        _prepare(con, p)
        log("drew creators, message plan and small tables")
        counts = _build(con, p, log, insert)
        con.execute("detach raw")
    finally:
        con.close()
    _index_sqlite(path, log)
    return counts


def _index_sqlite(path: Path, log: _Progress) -> None:
    # Measured on 20 M messages: indexes built after the load take 15 s, maintained during it
    # they make the load 5 times slower; sorter threads help a little, a large cache does not.
    sq = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode = off", "synchronous = off", "threads = 2"):
            sq.execute(f"pragma {pragma}").fetchall()
        for statement in raw_schema.create_indexes("sqlite"):
            sq.execute(statement)
            log(f"index: {statement.split(' ON ')[0].split()[-1]}")
    finally:
        sq.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _write_duckdb(path: Path, p: _Params, log: _Progress) -> dict[str, int]:
    con = duckdb.connect(str(path))
    try:
        _prepare(con, p)
        log("drew creators, message plan and small tables")
        for table in raw_schema.TABLES:
            key = raw_schema.autoincrement_column(table)
            start = 1
            if key:
                row = con.execute(f"select coalesce(max({key}), 0) + 1 from g_{table}").fetchone()
                start = int(row[0]) if row else 1
            for statement in raw_schema.create_table(table, "duckdb", sequence_start=start):
                con.execute(statement)

        def insert(table: str, select_sql: str) -> int:
            row = con.execute(_insert_sql("main", table, select_sql)).fetchone()
            return int(row[0]) if row else 0

        counts = _build(con, p, log, insert)
        con.execute("checkpoint")
    finally:
        con.close()
    return counts

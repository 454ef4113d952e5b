"""Benchmark eros-volume against bare DuckDB on the same generated data, in the same run.

    .venv/bin/python scripts/benchmark.py                       # small: ~3 minutes
    .venv/bin/python scripts/benchmark.py --creators 10000 --rate 7 --raw-format duckdb
    .venv/bin/python scripts/benchmark.py --creators 100000 --rate 7 --history-days 0

Reports, side by side on the same files:
- per-creator baseline: the shape of the system eros-volume replaces, one parameterised query per
  creator computing its window scores from the raw file (sqlite3 on SQLite, DuckDB on DuckDB),
  for the demo data and for the generated size;
- cold build: `eros-volume build` (a new process, as cron runs it) of the demo: the first one
  (no dbt state kept yet) and the median of the next ones;
- warm refresh: the median refresh of a long-lived `eros-volume serve` (dbt's parsed project kept
  in memory), of the demo and of the generated size;
and, as ratios against a floor measured in the same run:
- build: `eros-volume build --raw` (a subprocess, as users run it) against one bare DuckDB query
  computing the same per-creator current / previous 14-day aggregates from the same raw file,
  after subtracting the fixed start-up (a build of a 10-creator database);
- history: the same build on `--history-days` of messages at the same rate (0 skips it);
- lookups: get_volume_config p50 / p99 over random ids (warm) against a bare parameterised point
  query on a table of the build file;
- peak memory (max RSS) of the build process tree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from eros_volume import connect
from eros_volume.build import raw_database_kind
from eros_volume.demo import write_demo_db
from eros_volume.extensions import duckdb_config, ensure_sqlite_extension
from eros_volume.generate import generate

AS_OF = "2025-12-16 12:00:00"
EROS_VOLUME = str(Path(sys.executable).with_name("eros-volume"))

# The floor: what any implementation must do at least once: read the 28-day window from the raw
# file (pushed down to SQLite's sending_time index) and aggregate both windows per creator.
RAW_MESSAGES = (
    "select creator_id, sending_time, sent_count, viewed_count, purchased_count, earnings "
    "from {table} where message_type = 'ppv' and sending_time >= '2025-11-17'"
)
FLOOR_SQL = """
create or replace table floor_windows as
with messages as (
    select
        creator_id,
        try_cast(sending_time as timestamp) as sent_at,
        try_cast(sent_count as bigint) as sent_count,
        try_cast(viewed_count as bigint) as viewed_count,
        try_cast(purchased_count as bigint) as purchased_count,
        coalesce(try_cast(earnings as double), 0) as earnings
    from {messages}
    where try_cast(sent_count as bigint) > 0
), windows as (
    select *, sent_at > timestamp '{as_of}' - interval 14 day as is_current
    from messages
    where sent_at > timestamp '{as_of}' - interval 28 day and sent_at <= timestamp '{as_of}'
)
select
    creator_id,
    count(*) filter (where is_current) as current_messages,
    avg(earnings / sent_count) filter (where is_current) as current_rps,
    avg(earnings / sent_count) filter (where not is_current) as previous_rps,
    avg(viewed_count / sent_count) filter (where is_current) as current_view_rate,
    avg(viewed_count / sent_count) filter (where not is_current) as previous_view_rate,
    avg(purchased_count / sent_count) filter (where is_current) as current_purchase_rate,
    avg(purchased_count / sent_count) filter (where not is_current) as previous_purchase_rate,
    sum(earnings) filter (where is_current) as current_earnings,
    stddev_pop(earnings) filter (where is_current) / avg(earnings) filter (where is_current)
        as volatility
from windows
group by creator_id
"""

# The per-creator baseline: what the replaced system ran for each get_volume_config call, one
# parameterised query computing that creator's current / previous 14-day window aggregates from
# the raw file (volatility from the sums: SQLite has no stddev). The same SQL on SQLite and DuckDB.
PER_CREATOR_SQL = """
select
    count(*) filter (where sending_time > ?) as current_messages,
    avg(earnings / sent_count) filter (where sending_time > ?) as current_rps,
    avg(earnings / sent_count) filter (where sending_time <= ?) as previous_rps,
    avg(1.0 * viewed_count / sent_count) filter (where sending_time > ?) as current_view_rate,
    avg(1.0 * viewed_count / sent_count) filter (where sending_time <= ?) as previous_view_rate,
    avg(1.0 * purchased_count / sent_count) filter (where sending_time > ?) as current_purchase,
    avg(1.0 * purchased_count / sent_count) filter (where sending_time <= ?) as previous_purchase,
    sum(earnings) filter (where sending_time > ?) as current_earnings,
    sum(earnings * earnings) filter (where sending_time > ?) as current_earnings_squared
from mass_messages
where
    creator_id = ? and message_type = 'ppv' and sent_count > 0
    and sending_time > ? and sending_time <= ?
"""

# A long-lived serve process (the refresher `eros-volume serve` runs), timed refresh by refresh.
WARM_PROBE = """
import json, sys, time
from eros_volume.serve import Refresher
refresher = Refresher(db=sys.argv[1], raw=sys.argv[2] or None, as_of=sys.argv[3])
seconds = []
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    refresher.refresh()
    seconds.append(time.perf_counter() - start)
print(json.dumps(seconds))
"""

PEAK_PROBE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def timed_build(raw: Path | None, db: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of `eros-volume build` and everything it runs (the demo
    data when raw is None)."""
    command = [EROS_VOLUME, "build", "--quiet", "--db", str(db)]
    if raw is not None:
        command += ["--raw", str(raw), "--as-of", AS_OF]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, *command], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed: {done.stderr.strip()}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024 / 1024


def warm_refreshes(raw: Path | None, db: Path, count: int) -> list[float] | None:
    """Seconds of each refresh of one serve process, the first one (parse) included; None when
    this tree has no serve yet."""
    done = subprocess.run(
        [sys.executable, "-c", WARM_PROBE, str(db), str(raw or ""), AS_OF, str(count)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "EROS_SERVE_QUIET": "1"},
    )
    if done.returncode != 0:
        if "No module named 'eros_volume.serve'" in done.stderr:
            return None
        raise SystemExit(f"serve refresh failed: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def attach_raw(con: duckdb.DuckDBPyConnection, raw: Path) -> str:
    """Attach the raw file as `raw`; the FROM expression of the floor's messages."""
    if raw_database_kind(raw) == "sqlite":
        ensure_sqlite_extension()
        con.execute(f"attach '{raw}' as raw (type sqlite, read_only)")
        con.execute("set sqlite_all_varchar = true")
        query = RAW_MESSAGES.format(table="mass_messages").replace("'", "''")
        return f"sqlite_query('raw', '{query}')"
    con.execute(f"attach '{raw}' as raw (read_only)")
    return f"({RAW_MESSAGES.format(table='raw.mass_messages')})"


def floor_seconds(raw: Path) -> float:
    con = duckdb.connect(config=duckdb_config())
    messages = attach_raw(con, raw)
    start = time.perf_counter()
    con.execute(FLOOR_SQL.format(as_of=AS_OF, messages=messages))
    seconds = time.perf_counter() - start
    con.close()
    return seconds


def message_count(raw: Path) -> int:
    with duckdb.connect(config=duckdb_config()) as con:
        attach_raw(con, raw)
        return con.execute("select count(*) from raw.mass_messages").fetchone()[0]


def per_creator_seconds(raw: Path) -> tuple[float, int]:
    """Seconds to compute every creator's window scores one query per creator, and creators."""
    as_of = dt.datetime.strptime(AS_OF, "%Y-%m-%d %H:%M:%S")
    since, middle = (str(as_of - dt.timedelta(days=days)) for days in (28, 14))
    if raw_database_kind(raw) == "sqlite":
        con = sqlite3.connect(f"file:{raw}?mode=ro", uri=True)
    else:
        con = duckdb.connect(str(raw), read_only=True)
    ids = [row[0] for row in con.execute("select creator_id from creators").fetchall()]
    start = time.perf_counter()
    for creator_id in ids:
        con.execute(PER_CREATOR_SQL, [middle] * 9 + [creator_id, since, AS_OF]).fetchall()
    seconds = time.perf_counter() - start
    con.close()
    return seconds, len(ids)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (
        statistics.median(ordered) * 1e3,
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3,
    )


def lookups(db: Path, count: int) -> dict[str, float]:
    with duckdb.connect(str(db), read_only=True) as con:
        ids = [row[0] for row in con.execute("select creator_id from int_volume_config").fetchall()]
    rng = random.Random(7)
    sample = [rng.choice(ids) for _ in range(count)]
    store = connect(db)
    for creator_id in sample[:200]:
        store.get_volume_config(creator_id)
    wrapper = []
    for creator_id in sample:
        start = time.perf_counter()
        answer = store.get_volume_config(creator_id)
        wrapper.append(time.perf_counter() - start)
        assert answer["creator_id"] == creator_id
    bare = []
    with duckdb.connect(str(db), read_only=True) as con:
        query = "select * from int_volume_config where creator_id = ?"
        for creator_id in sample[:200]:
            con.execute(query, [creator_id]).fetchall()
        for creator_id in sample:
            start = time.perf_counter()
            con.execute(query, [creator_id]).fetchall()
            bare.append(time.perf_counter() - start)
    (w50, w99), (b50, b99) = percentiles(wrapper), percentiles(bare)
    return {"wrapper_p50_ms": w50, "wrapper_p99_ms": w99, "bare_p50_ms": b50, "bare_p99_ms": b99}


def side_by_side(
    results: dict, label: str, raw: Path | None, baseline_raw: Path, db: Path, refreshes: int
) -> None:
    """per-creator baseline, and the warm refresh against it, for one data set."""
    results[f"{label}_per_creator_s"], results[f"{label}_creators"] = per_creator_seconds(
        baseline_raw
    )
    warm = warm_refreshes(raw, db, refreshes + 1) if refreshes else None
    if warm is not None:
        results[f"{label}_first_refresh_s"] = warm[0]
        results[f"{label}_warm_refresh_s"] = statistics.median(warm[1:])
        results[f"{label}_warm_over_per_creator"] = (
            results[f"{label}_warm_refresh_s"] / results[f"{label}_per_creator_s"]
        )


def demo_figures(results: dict, work: Path, builds: int, refreshes: int) -> None:
    """The demo data: per-creator baseline on its SQLite copy, cold builds, warm refresh."""
    demo_raw = work / "demo_raw.db"
    if not demo_raw.exists():
        write_demo_db(demo_raw)
    side_by_side(results, "demo", None, demo_raw, work / "demo_serve.duckdb", refreshes)
    seconds = [timed_build(None, work / "demo.duckdb")[0] for _ in range(builds)]
    results["demo_first_cold_build_s"] = seconds[0]
    if builds > 1:
        results["demo_cold_build_s"] = statistics.median(seconds[1:])
        results["demo_cold_over_per_creator"] = (
            results["demo_cold_build_s"] / results["demo_per_creator_s"]
        )


def size_figures(results: dict, args: argparse.Namespace, raw_db) -> None:
    """The generated size: floor, fixed start-up, build, warm refresh, history, lookups."""
    work = Path(args.workdir)
    tiny = raw_db(10, 28, 1)
    window = raw_db(args.creators, 28, args.rate)
    results["messages_28d"] = message_count(window)
    results["fixed_startup_s"], _ = timed_build(tiny, work / "tiny.duckdb")
    results["floor_s"] = floor_seconds(window)
    results["build_s"], results["build_peak_gb"] = timed_build(window, work / "build.duckdb")
    variable = max(results["build_s"] - results["fixed_startup_s"], 0.0)
    results["build_minus_startup_over_floor"] = variable / results["floor_s"]
    side_by_side(results, "size", window, window, work / "serve.duckdb", args.refreshes)
    results["build_over_per_creator"] = results["build_s"] / results["size_per_creator_s"]
    if args.history_days:
        history = raw_db(args.creators, args.history_days, args.rate)
        results["history_days"] = args.history_days
        results["history_build_s"], results["history_peak_gb"] = timed_build(
            history, work / "history.duckdb"
        )
        results["history_floor_s"] = floor_seconds(history)
        results["history_over_28d_build"] = results["history_build_s"] / results["build_s"]
    results.update(lookups(work / "build.duckdb", args.lookups))


# A previous build file with `days` daily publications of every creator before this build's
# as_of (made from a first build's own publication; ~5 % of the creators move each day), and as
# many change rows: what a build carries forward after `days` days of daily builds.
HISTORY_SQL = """
create or replace table synthetic as
select
    history.build_id || '-' || day.d as build_id,
    history.as_of - to_days(day.d) as as_of,
    history.* exclude (build_id, as_of, revenue_items_per_day),
    case
        when (hash(history.creator_id) + day.d) % 20 = 0
            then greatest(history.revenue_items_per_day - 1, 1)
        else history.revenue_items_per_day
    end as revenue_items_per_day
from volume_config_history as history, range(1, {days} + 1) as day(d)
order by as_of, creator_id;
create or replace table volume_config_history as
select * from synthetic where false;
insert into volume_config_history by name select * from synthetic;
create or replace table volume_config_changes as
select * from volume_config_changes where false;
insert into volume_config_changes by name
select
    build_id, as_of, creator_id, 'changed' as change_type,
    ['revenue_items_per_day'] as changed_fields,
    {columns}
    'synthetic' as reason
from synthetic
where (hash(creator_id) + {days}) % 20 in (0, 1);
drop table synthetic;
checkpoint;
"""
PUBLISHED = (
    "volume_level", "revenue_items_per_day", "engagement_items_per_day",
    "retention_items_per_day", "followup_per_day", "bundle_per_week", "game_per_week",
    "data_source",
)  # fmt: skip


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's finished children (builds, dbt, DuckDB)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_timed_build(raw: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one build (CPU: what other processes' load inflates least)."""
    before = children_cpu_seconds()
    wall, _ = timed_build(raw, db)
    return wall, children_cpu_seconds() - before


def published_history_figures(results: dict, raw: Path, work: Path, days: int) -> None:
    """A build carrying `days` days of published history against the same build without a
    previous file, twice each, alternating (each file's first build parses the project anew, its
    second reuses the parse); wall and CPU seconds of each, the medians and their ratios."""
    plain, carried = work / "history_none.duckdb", work / "history_carried.duckdb"
    template = work / "history_template.duckdb"
    for path in (plain, carried, template):
        path.unlink(missing_ok=True)
    timed_build(raw, template)
    columns = "".join(f"{name} as old_{name}, {name} as new_{name}, " for name in PUBLISHED)
    with duckdb.connect(str(template)) as con:
        con.execute(HISTORY_SQL.format(days=days, columns=columns))
        results["published_history_rows"] = con.execute(
            "select count(*) from volume_config_history"
        ).fetchone()[0]
    without, with_history = [], []
    for _ in range(2):
        shutil.copyfile(template, carried)
        with_history.append(cpu_timed_build(raw, carried))
        plain.unlink(missing_ok=True)
        without.append(cpu_timed_build(raw, plain))
    results["published_history_days"] = days
    for index, unit in ((0, "s"), (1, "cpu_s")):
        plain_median = statistics.median(sample[index] for sample in without)
        carried_median = statistics.median(sample[index] for sample in with_history)
        results[f"builds_without_history_{unit}"] = " ".join(f"{x[index]:.1f}" for x in without)
        results[f"builds_with_history_{unit}"] = " ".join(f"{x[index]:.1f}" for x in with_history)
        results[f"build_without_history_{unit}"] = plain_median
        results[f"build_with_history_{unit}"] = carried_median
        results[f"history_cost_ratio_{unit}"] = carried_median / plain_median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=5, help="messages per creator per day")
    parser.add_argument("--raw-format", choices=("sqlite", "duckdb"), default="sqlite")
    parser.add_argument("--history-days", type=int, default=365, help="0: skip the history run")
    parser.add_argument("--lookups", type=int, default=10000)
    parser.add_argument("--refreshes", type=int, default=3, help="timed warm refreshes (0: none)")
    parser.add_argument("--demo-builds", type=int, default=3, help="0: skip the demo figures")
    parser.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    parser.add_argument(
        "--published-history-days",
        type=int,
        default=0,
        help="only: a build carrying this many days of published history against one without",
    )
    parser.add_argument("--raw", help="an existing raw database for --published-history-days")
    args = parser.parse_args()

    args.workdir = args.workdir or tempfile.mkdtemp(prefix="eros-bench-")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)

    def raw_db(creators: int, days: int, rate: float) -> Path:
        suffix = "db" if args.raw_format == "sqlite" else "duckdb"
        path = work / f"raw_{creators}_{days}d_{rate:g}.{suffix}"
        if not path.exists():
            start = time.perf_counter()
            generate(path, creators, days, rate, fmt=args.raw_format, as_of=AS_OF, progress=False)
            print(f"generated {path.name} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        return path

    load = os.getloadavg()
    results: dict[str, float | int | str] = {
        "creators": args.creators,
        "rate": args.rate,
        "raw_format": args.raw_format,
        "machine": f"{os.cpu_count()} cores, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
    }
    if args.published_history_days:
        raw = Path(args.raw) if args.raw else raw_db(args.creators, 28, args.rate)
        results["raw"] = str(raw)
        published_history_figures(results, raw, work, args.published_history_days)
    else:
        if args.demo_builds:
            demo_figures(results, work, args.demo_builds, args.refreshes)
        size_figures(results, args, raw_db)
    results["load_at_end"] = " ".join(f"{value:.1f}" for value in os.getloadavg())
    for key, value in results.items():
        shown = f"{value:.3f}" if isinstance(value, float) else value
        print(f"{key:32} {shown}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Benchmark eros-volume against bare DuckDB on the same generated data, in the same run.

    .venv/bin/python scripts/benchmark.py                       # small: ~1 minute
    .venv/bin/python scripts/benchmark.py --creators 100000 --rate 7 --history-days 0

Reports, as ratios against a floor measured in the same run:
- build: `eros-volume build --raw` (a subprocess, as users run it) against one bare DuckDB query
  computing the same per-creator current / previous 14-day aggregates from the same SQLite file,
  after subtracting dbt's fixed start-up (a build of a 10-creator database);
- history: the same build on `--history-days` of messages at the same rate (0 skips it);
- lookups: get_volume_config p50 / p99 over random ids (warm) against a bare parameterised point
  query on a table of the build file;
- peak memory (max RSS) of the build process tree.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from eros_volume import connect
from eros_volume.extensions import duckdb_config, ensure_sqlite_extension
from eros_volume.generate import generate

AS_OF = "2025-12-16 12:00:00"
EROS_VOLUME = str(Path(sys.executable).with_name("eros-volume"))

# The floor: what any implementation must do at least once: read the 28-day window from the raw
# SQLite file (pushed down to its sending_time index) and aggregate both windows per creator.
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
    from sqlite_query('raw', 'select creator_id, sending_time, sent_count, viewed_count,
        purchased_count, earnings from mass_messages
        where message_type = ''ppv'' and sending_time >= ''{since}''')
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


def timed_build(raw: Path, db: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of `eros-volume build --raw` and everything it runs."""
    probe = (
        "import resource, subprocess, sys; "
        "code = subprocess.run(sys.argv[1:]).returncode; "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(code)"
    )
    command = [EROS_VOLUME, "build", "--quiet", "--raw", str(raw), "--as-of", AS_OF]
    command += ["--db", str(db)]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed: {done.stderr.strip()}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024 / 1024


def floor_seconds(raw: Path) -> float:
    ensure_sqlite_extension()
    con = duckdb.connect(config=duckdb_config())
    con.execute(f"attach '{raw}' as raw (type sqlite, read_only)")
    con.execute("set sqlite_all_varchar = true")
    start = time.perf_counter()
    con.execute(FLOOR_SQL.format(as_of=AS_OF, since="2025-11-17"))
    seconds = time.perf_counter() - start
    con.close()
    return seconds


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=5, help="messages per creator per day")
    parser.add_argument("--history-days", type=int, default=365, help="0: skip the history run")
    parser.add_argument("--lookups", type=int, default=10000)
    parser.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    args = parser.parse_args()

    work = Path(args.workdir or tempfile.mkdtemp(prefix="eros-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def raw_db(creators: int, days: int, rate: float) -> Path:
        path = work / f"raw_{creators}_{days}d_{rate:g}.db"
        if not path.exists():
            start = time.perf_counter()
            generate(path, creators, days, rate, as_of=AS_OF, progress=False)
            print(f"generated {path.name} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        return path

    results: dict[str, float | int | str] = {
        "creators": args.creators,
        "rate": args.rate,
        "machine": f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()}"
        " cores",
    }
    tiny = raw_db(10, 28, 1)
    window = raw_db(args.creators, 28, args.rate)
    with duckdb.connect(config=duckdb_config()) as con:
        con.execute(f"attach '{window}' as raw (type sqlite, read_only)")
        count = con.execute("select count(*) from raw.mass_messages").fetchone()
        results["messages_28d"] = count[0]

    results["fixed_startup_s"], _ = timed_build(tiny, work / "tiny.duckdb")
    results["floor_s"] = floor_seconds(window)
    results["build_s"], results["build_peak_gb"] = timed_build(window, work / "build.duckdb")
    variable = max(results["build_s"] - results["fixed_startup_s"], 0.0)
    results["build_minus_startup_over_floor"] = variable / results["floor_s"]
    if args.history_days:
        history = raw_db(args.creators, args.history_days, args.rate)
        results["history_days"] = args.history_days
        results["history_build_s"], results["history_peak_gb"] = timed_build(
            history, work / "history.duckdb"
        )
        results["history_floor_s"] = floor_seconds(history)
        results["history_over_28d_build"] = results["history_build_s"] / results["build_s"]
    results.update(lookups(work / "build.duckdb", args.lookups))
    for key, value in results.items():
        shown = f"{value:.3f}" if isinstance(value, float) else value
        print(f"{key:32} {shown}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Benchmark the Spark engine against DuckDB on the same generated data, in the same run.

    .venv/bin/python scripts/benchmark_spark.py                              # 2,000 creators
    .venv/bin/python scripts/benchmark_spark.py --creators 100000 --rate 7 --workdir /tmp/bs

Generates a raw database (`eros-volume generate`, DuckDB format, `--days` of history ending at
as_of), exports it to Parquet (`eros-volume export-parquet`), then times, each as users run it
(a subprocess):
- duckdb: `eros-volume build --raw RAW` (the embedded default);
- spark local: `eros-volume build --engine spark --raw-parquet DIR` (SparkSession local[2]);
- spark cluster: the same with `--spark-master` on a standalone cluster of two one-core workers
  on 127.0.0.1 (`eros_volume.spark_cluster`), started before the clock and stopped after;
and checks that each Spark build's volume_config equals DuckDB's. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from eros_volume.generate import generate
from eros_volume.spark_cluster import standalone_cluster

AS_OF = "2025-12-16 12:00:00"
EROS_VOLUME = str(Path(sys.executable).with_name("eros-volume"))


def timed(*args: str) -> float:
    """Seconds of one CLI run."""
    start = time.perf_counter()
    done = subprocess.run([EROS_VOLUME, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"eros-volume {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return round(seconds, 1)


def volume_config(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select * from volume_config order by creator_id").fetchall()


def report(results: dict, key: str, value: object) -> None:
    """Record a figure and print it at once (a later failure keeps the earlier figures)."""
    results[key] = value
    print(json.dumps({key: value}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=5, help="messages per creator per day")
    parser.add_argument("--days", type=int, default=28, help="days of message history")
    parser.add_argument("--workers", type=int, default=2, help="standalone workers (0: skip)")
    parser.add_argument("--skip-local", action="store_true", help="no local Spark build")
    parser.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="eros-bench-spark-"))
    work.mkdir(parents=True, exist_ok=True)
    raw, parquet = work / "raw.duckdb", work / "parquet"
    results: dict = {"creators": args.creators, "rate": args.rate, "days": args.days}
    if not raw.exists():
        start = time.perf_counter()
        counts = generate(raw, args.creators, args.days, args.rate, fmt="duckdb", as_of=AS_OF)
        report(results, "generate_s", round(time.perf_counter() - start, 1))
        report(results, "messages", counts["mass_messages"])
    report(results, "export_parquet_s", timed("export-parquet", "--raw", str(raw), str(parquet)))
    common = ["--as-of", AS_OF, "--quiet"]
    duckdb_build = ["build", "--raw", str(raw), "--db", str(work / "d.duckdb"), *common]
    report(results, "duckdb_s", timed(*duckdb_build))
    spark = ["build", "--engine", "spark", "--raw-parquet", str(parquet), *common]
    if not args.skip_local:
        report(results, "spark_local_s", timed(*spark, "--db", str(work / "s.duckdb")))
        same = volume_config(work / "s.duckdb") == volume_config(work / "d.duckdb")
        report(results, "spark_local_volume_config_equal", same)
    if args.workers:
        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
        with standalone_cluster(workers=args.workers) as cluster:
            master = ["--spark-master", cluster.url, "--db", str(work / "c.duckdb")]
            report(results, "spark_cluster_s", timed(*spark, *master))
        same = volume_config(work / "c.duckdb") == volume_config(work / "d.duckdb")
        report(results, "spark_cluster_volume_config_equal", same)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

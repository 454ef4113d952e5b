"""PostgreSQL as the raw database (SPEC 11, issue 14), on a private cluster (conftest): the demo
loaded into PostgreSQL builds the same volume_config as the SQLite demo; `track` upserts in one
PostgreSQL transaction (twice changes nothing; a failure midway changes nothing); a wrong
password or an unreachable server is one line."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DEMO_AS_OF, DEMO_TABLES, TRACKING, demo_rows, made_row
from pgcluster import Cluster, free_port

import eros_volume
from eros_volume import postgres
from eros_volume.cli import main
from eros_volume.extensions import duckdb_config
from eros_volume.track import TrackError, upsert

SCRIPT = Path(sys.executable).with_name("eros-volume")
MARTS = ("volume_config", "active_creators", "volume_assignment", "volume_score_monitor")


def pg_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query run in PostgreSQL itself (through DuckDB, read-only)."""
    con = duckdb.connect(config=duckdb_config())
    try:
        postgres.attach(con, url, "pg", read_only=True)
        quoted = sql.replace("'", "''")
        return con.execute(f"select * from postgres_query('pg', '{quoted}')").fetchall()
    finally:
        con.close()


def tracking_table(url: str) -> list[tuple[Any, ...]]:
    return pg_rows(url, f"select * from {TRACKING} order by tracking_id")


def pg_execute(url: str, *statements: str) -> None:
    con = duckdb.connect(config=duckdb_config())
    try:
        postgres.attach(con, url, "pg", read_only=False)
        for statement in statements:
            postgres.execute(con, "pg", statement)
    finally:
        con.close()


def mart_rows(db: Path, mart: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select * from {mart} order by all").fetchall()


def demo_database(cluster: Cluster, name: str) -> str:
    url = cluster.create_database(name)
    postgres.write_raw_postgres(url, {table: demo_rows(table) for table in DEMO_TABLES})
    return url


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "EROS_RAW_DB"}
    command = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "eros_volume.cli"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_the_demo_in_postgres_builds_the_demo(
    postgres_cluster: Cluster, demo_db: Path, tmp_path: Path
) -> None:
    url = demo_database(postgres_cluster, "demo_build")
    assert pg_rows(url, "select count(*) from creators") == [(len(demo_rows("creators")),)]
    before = tracking_table(url)
    db = eros_volume.build(db=tmp_path / "pg.duckdb", raw=url, as_of=DEMO_AS_OF, echo=False)
    assert len(mart_rows(db, "volume_config")) == 52
    for mart in MARTS:
        assert mart_rows(db, mart) == mart_rows(demo_db, mart), mart
    assert tracking_table(url) == before  # read-only


def test_track_twice_changes_nothing_the_second_time(postgres_cluster: Cluster) -> None:
    url = demo_database(postgres_cluster, "demo_track")
    before = tracking_table(url)
    outputs, snapshots = [], []
    for _ in range(2):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert main(["track", "--raw", url, "--as-of", DEMO_AS_OF, "--quiet"]) == 0
        outputs.append(out.getvalue())
        snapshots.append(tracking_table(url))
    new = len(snapshots[0]) - len(before)
    assert new == 22  # the creators with enough messages on the demo's day (docs/tracking...)
    assert snapshots[0][: len(before)] == before
    assert snapshots[1] == snapshots[0]
    assert f"{new} inserted, 0 updated, 0 unchanged" in outputs[0]
    assert f"0 inserted, 0 updated, {new} unchanged" in outputs[1]
    assert ":***@127.0.0.1" in outputs[0] and "eros-test-password" not in outputs[0]
    # The new rows took the next ids of the identity key.
    assert [row[0] for row in snapshots[0]] == list(range(1, len(snapshots[0]) + 1))


def test_a_failure_midway_leaves_postgres_unchanged(postgres_cluster: Cluster) -> None:
    url = postgres_cluster.create_database("failing")
    postgres.write_raw_postgres(url, {"creators": []})
    pg_execute(
        url,
        "create function fail_on_b() returns trigger language plpgsql as"
        " $$ begin raise exception 'injected failure'; end $$",
        f"create trigger fail_midway before insert on {TRACKING} for each row"
        " when (new.creator_id = 'b') execute function fail_on_b()",
    )
    assert upsert(url, [made_row("a", saturation=10.0)]).inserted == 1
    before = tracking_table(url)
    rows = [made_row("a", saturation=80.0), made_row("new"), made_row("b")]
    with pytest.raises(TrackError, match="unchanged: .*injected failure"):
        upsert(url, rows)
    assert tracking_table(url) == before

    # A table the run created goes with the rollback.
    pg_execute(url, f"drop table {TRACKING}")
    with pytest.raises(TrackError, match="unchanged"):
        upsert(url, [made_row("a"), {**made_row("c"), "creator_id": None}])
    tables = pg_rows(url, "select tablename from pg_tables where schemaname = 'public'")
    assert (TRACKING,) not in tables


def test_wrong_password_and_unreachable_server_are_one_line(
    postgres_cluster: Cluster, tmp_path: Path
) -> None:
    wrong = postgres_cluster.url(password="not-the-password-42")
    for command in (["build", "--db", str(tmp_path / "x")], ["track"]):
        done = run_cli(*command, "--raw", wrong, "--as-of", DEMO_AS_OF)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("eros-volume: error: cannot connect to PostgreSQL ")
        assert 'password authentication failed for user "eros"' in done.stderr
        assert "not-the-password-42" not in done.stderr
    closed = free_port()
    done = run_cli("build", "--raw", f"postgresql://eros@127.0.0.1:{closed}/postgres")
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "Connection refused" in done.stderr
    assert not (tmp_path / "x").exists()

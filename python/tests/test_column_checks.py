"""The column_checks data test (tests/generic/column_checks.sql), which holds every column rule
of a model in one dbt node: each kind of check fails on exactly the rows that break it, and
reports the check, how many rows fail it and an example."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from eros_volume.dbt_runner import dbt_executable
from eros_volume.paths import project_dir

TEST = "volume_config__column_checks"


def dbt(command: str, test: str, db: Path, target: Path) -> subprocess.CompletedProcess:
    """``dbt <command> -s <test>`` against the build file ``db``."""
    root = project_dir()
    env = {**os.environ, "EROS_VOLUME_DB": str(db), "EROS_RAW_DB": ""}
    return subprocess.run(
        [dbt_executable(), command, "-s", test, "--project-dir", str(root),
         "--profiles-dir", str(root), "--target-path", str(target)],
        env=env, check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def compiled_test(db: Path, target: Path, test: str = TEST) -> str:
    """The test's SQL as dbt compiles it for the build file ``db``."""
    assert dbt("compile", test, db, target).returncode == 0
    (path,) = (target / "compiled").rglob(f"{test}.sql")
    return path.read_text()


@pytest.fixture(scope="module")
def broken(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("checks")
    db = folder / demo_db.name  # same file name: the compiled SQL names the build's catalog
    shutil.copy(demo_db, db)
    return db, compiled_test(db, folder / "target")


def failures(db: Path, sql: str) -> set[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute(sql).fetchall())


def first_ids(con: duckdb.DuckDBPyConnection, table: str, count: int) -> list[str]:
    """The first ``count`` creator_ids of ``table``, in order."""
    query = f"select creator_id from {table} order by creator_id limit {count}"
    return [row[0] for row in con.execute(query).fetchall()]


def test_a_good_build_passes_every_check(broken: tuple[Path, str]) -> None:
    db, sql = broken
    assert failures(db, sql) == set()


def test_each_kind_of_check_names_its_rows(broken: tuple[Path, str], tmp_path: Path) -> None:
    source, sql = broken
    db = tmp_path / source.name
    shutil.copy(source, db)
    with duckdb.connect(str(db)) as con:
        ids = first_ids(con, "int_volume_config", 5)
        con.execute("update int_volume_config set page_type = null where creator_id = ?", [ids[0]])
        con.execute(
            "update int_volume_config set volume_level = 'Bogus' where creator_id = ?", [ids[1]]
        )
        con.execute(
            "update int_volume_config set saturation_score = 100.01 where creator_id = ?", [ids[2]]
        )
        con.execute(
            "update int_volume_config set revenue_items_per_day = 9 where creator_id = ?", [ids[4]]
        )
        for (index,) in con.execute(
            "select index_name from duckdb_indexes() where table_name = 'int_volume_config'"
        ).fetchall():
            con.execute(f'drop index "{index}"')  # the lookup index would refuse a duplicate
        con.execute(
            "insert into int_volume_config select * from int_volume_config where creator_id = ?",
            [ids[3]],
        )
    assert failures(db, sql) == {
        ("unique creator_id", 1, ids[3], "error"),
        ("not_null page_type", 1, ids[0], "error"),
        ("accepted_values volume_level", 1, "Bogus", "error"),
        ("true: saturation_score between 0 and 100", 1, ids[2], "error"),
        ("true: revenue_items_per_day between 1 and 8", 1, ids[4], "error"),  # the caps (vars)
        ("true: ppv_per_day = revenue_items_per_day", 1, ids[4], "error"),
    }


def test_a_reference_to_another_model_names_the_missing_key(
    broken: tuple[Path, str], tmp_path: Path
) -> None:
    """references: {creator_id: ref('stg_eros__creators')} (dbt's relationships) fails on each
    creator_id of volume_config missing from stg_eros__creators, counting them."""
    source, sql = broken
    db = tmp_path / source.name
    shutil.copy(source, db)
    with duckdb.connect(str(db)) as con:
        first, second = first_ids(con, "stg_eros__creators", 2)
        con.execute("delete from stg_eros__creators where creator_id in (?, ?)", [first, second])
    assert failures(db, sql) == {
        ("references creator_id in stg_eros__creators", 2, first, "error")
    }


def test_row_count_fails_with_the_count(
    broken: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """row_count: 1 on build_info: passes on a build, fails showing the count with 0 or 2 rows."""
    source, _ = broken
    folder = tmp_path_factory.mktemp("rows")
    db = folder / source.name
    shutil.copy(source, db)
    sql = compiled_test(db, folder / "target", "build_info__column_checks")
    assert failures(db, sql) == set()
    with duckdb.connect(str(db)) as con:
        con.execute("insert into build_info select * from build_info")
    assert ("row_count 1", 1, "2", "error") in failures(db, sql)
    with duckdb.connect(str(db)) as con:
        con.execute("delete from build_info")
    assert failures(db, sql) == {("row_count 1", 1, "0", "error")}


def test_warn_checks_warn_and_error_checks_fail(
    broken: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """stg_eros__creators: a page_name two creators share is a warn check (dbt reports WARN,
    exit 0); a negative fan count is an error check (FAIL, exit 1, "Got 1 result"), whatever
    warns beside it."""
    source, _ = broken
    folder = tmp_path_factory.mktemp("warn")
    db = folder / source.name
    shutil.copy(source, db)
    test = "stg_eros__creators__column_checks"
    assert "WARN=0 ERROR=0" in dbt("test", test, db, folder / "target").stdout
    with duckdb.connect(str(db)) as con:
        first, second = first_ids(con, "stg_eros__creators", 2)
        con.execute(
            "update stg_eros__creators set page_name = 'same_page' where creator_id in (?, ?)",
            [first, second],
        )
    warned = dbt("test", test, db, folder / "target")
    assert warned.returncode == 0 and "WARN=1 ERROR=0" in warned.stdout, warned.stdout
    sql = compiled_test(db, folder / "target", test)
    assert failures(db, sql) == {("unique page_name", 1, "same_page", "warn")}
    with duckdb.connect(str(db)) as con:
        con.execute("update stg_eros__creators set fan_count = -1 where creator_id = ?", [first])
    failed = dbt("test", test, db, folder / "target")
    assert failed.returncode == 1 and "WARN=0 ERROR=1" in failed.stdout, failed.stdout
    assert "Got 1 result, configured to fail if >0" in failed.stdout
    assert failures(db, sql) == {
        ("unique page_name", 1, "same_page", "warn"),
        ("true: fan_count >= 0", 1, first, "error"),
    }

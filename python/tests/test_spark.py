"""The Spark engine (SPEC 11): the same models on Spark give the same serving file as on DuckDB,
field for field, on the demo and on 2,000 generated creators, in a local SparkSession and on a
standalone cluster of two workers; and the Parquet export it reads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import DEMO_AS_OF, demo_rows, write_sqlite

from eros_volume import connect
from eros_volume.build import BuildError, build
from eros_volume.extensions import duckdb_config
from eros_volume.generate import generate
from eros_volume.raw_schema import TABLES
from eros_volume.spark_cluster import standalone_cluster
from eros_volume.spark_engine import build_spark, export_parquet, java_home

AS_OF = "2025-12-16 12:00:00"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "eros_volume.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


# The build record differs by nature (its start time, engine and versions).
PER_BUILD = {"build_info"}


def relations(path: Path) -> dict[str, tuple[list[tuple], list[tuple]]]:
    """Every table and view of a build file: (column names and types, rows in order)."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' union all"
                " select view_name from duckdb_views() where schema_name = 'main' and not internal"
            ).fetchall()
        ]
        result = {}
        for name in names:
            if name in PER_BUILD:
                continue
            columns = con.execute(f"select column_name, column_type from (describe {name})")
            columns = columns.fetchall()
            # a publication's build_id is the build's own start time: equal data, other ids
            rest = " exclude (build_id)" if any(c[0] == "build_id" for c in columns) else ""
            rows = con.execute(f"select *{rest} from {name} order by all").fetchall()
            result[name] = (columns, rows)
        return result


def assert_same_serving_file(spark_db: Path, duckdb_db: Path) -> None:
    spark, reference = relations(spark_db), relations(duckdb_db)
    assert set(spark) <= set(reference)
    # volume_config first, so a difference there is the one reported.
    for name in ["volume_config", *sorted(spark)]:
        assert spark[name][0] == reference[name][0], f"{name}: columns or types differ"
        assert spark[name][1] == reference[name][1], f"{name}: rows differ"
    configs = connect(spark_db).all_volume_configs()
    assert configs == connect(duckdb_db).all_volume_configs()


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo as a SQLite file in the original schema, and exported to Parquet."""
    folder = tmp_path_factory.mktemp("spark-demo")
    sqlite = write_sqlite(folder / "eros.db")
    export_parquet(sqlite, folder / "parquet")
    return sqlite, folder / "parquet"


@pytest.fixture(scope="module")
def generated_raw(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """2,000 generated creators (SQLite, 28 days of messages), and exported to Parquet."""
    folder = tmp_path_factory.mktemp("spark-2k")
    sqlite = folder / "eros.db"
    generate(sqlite, 2000, 28, 5, as_of=AS_OF, progress=False)
    export_parquet(sqlite, folder / "parquet")
    return sqlite, folder / "parquet"


@pytest.fixture(scope="module")
def generated_duckdb(generated_raw: tuple[Path, Path], tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spark-2k-duckdb") / "duckdb.duckdb"
    return build(db=path, raw=generated_raw[0], as_of=AS_OF, echo=False)


def test_export_parquet_writes_one_folder_per_table_of_the_original_columns(
    demo_raw: tuple[Path, Path],
) -> None:
    sqlite, parquet = demo_raw
    assert sorted(p.name for p in parquet.iterdir()) == sorted(TABLES)
    with duckdb.connect() as con, duckdb.connect(config=duckdb_config()) as raw:
        raw.execute(f"attach '{sqlite}' as raw_db (type sqlite, read_only)")
        for table in TABLES:
            files = f"'{parquet}/{table}/*.parquet'"
            described = f"select column_name, column_type from (describe {files})"
            columns = con.execute(described).fetchall()
            expected = raw.execute(f"select * from raw_db.{table} limit 0").description
            assert [name for name, _ in columns] == [column[0] for column in expected], table
            assert {kind for _, kind in columns} == {"VARCHAR"}, table
            count = con.execute(f"select count(*) from {files}").fetchone()
            assert count[0] == len(demo_rows(table)), table


def test_export_parquet_keeps_bad_sqlite_values_as_text(tmp_path: Path) -> None:
    """Text in a SQLite INTEGER column stays as it is: the build flags it on either engine."""
    rows = {
        "creators": [
            {"creator_id": "a", "page_name": "pa", "current_active_fans": "12x", "is_active": "1"},
            {"creator_id": "b", "page_name": "pb", "current_active_fans": 1500, "is_active": 1},
        ]
    }
    sqlite = write_sqlite(tmp_path / "bad.db", rows)
    assert export_parquet(sqlite, tmp_path / "out") == {table: 0 for table in TABLES} | {
        "creators": 2
    }
    with duckdb.connect() as con:
        got = con.execute(
            f"select creator_id, current_active_fans, is_active"
            f" from '{tmp_path}/out/creators/*.parquet' order by 1"
        ).fetchall()
    assert got == [("a", "12x", "1"), ("b", "1500", "1")]


def test_export_parquet_and_spark_build_refuse_bad_input(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    done = run("export-parquet", "--raw", str(missing), str(tmp_path / "out"))
    assert (done.returncode, done.stderr.strip()) == (
        2, f"eros-volume: error: raw database not found: {missing}"
    )  # fmt: skip
    done = run("build", "--engine", "spark")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "eros-volume: error: --engine spark reads --raw-parquet DIR (see export-parquet), not --raw"
    )
    done = run("build", "--raw-parquet", str(tmp_path))
    assert (done.returncode, done.stderr.strip()) == (
        2, "eros-volume: error: --raw-parquet and --spark-master need --engine spark"
    )  # fmt: skip
    done = run("build", "--engine", "spark", "--raw-parquet", str(tmp_path / "nowhere"))
    assert (done.returncode, done.stderr.strip()) == (
        2, f"eros-volume: error: raw Parquet folder not found: {tmp_path / 'nowhere'}"
    )  # fmt: skip


def test_spark_demo_equals_duckdb_with_unit_tests_passing_on_spark(
    demo_raw: tuple[Path, Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    sqlite, parquet = demo_raw
    spark_db = build_spark(
        parquet, db=tmp_path / "spark.duckdb", as_of=DEMO_AS_OF, output="verbose", unit_tests=True
    )
    # dbt's own lines: every unit test but the DuckDB-only one ran on Spark and passed.
    unit_tests = re.findall(r" (PASS|FAIL|ERROR) (\w+)::(\w+)", capfd.readouterr().err)
    assert len(unit_tests) >= 25 and {status for status, _, _ in unit_tests} == {"PASS"}
    names = {name for _, _, name in unit_tests}
    assert "volume_config_bad_data_gets_safe_defaults_and_sorted_flags" not in names
    reference = build(db=tmp_path / "duckdb.duckdb", raw=sqlite, as_of=DEMO_AS_OF, echo=False)
    assert_same_serving_file(spark_db, reference)
    assert connect(spark_db).get_volume_config("mia_castillo") == connect(
        reference
    ).get_volume_config("mia_castillo")


def test_spark_2000_generated_creators_equal_duckdb(
    generated_raw: tuple[Path, Path], generated_duckdb: Path, tmp_path: Path
) -> None:
    """The CLI as users run it."""
    spark_db = tmp_path / "s.duckdb"
    done = run(
        "build", "--engine", "spark", "--raw-parquet", str(generated_raw[1]), "--as-of", AS_OF,
        "--db", str(spark_db), "--quiet",
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert_same_serving_file(spark_db, generated_duckdb)
    assert len(connect(spark_db).all_volume_configs()) == 2000


def test_spark_standalone_cluster_of_two_workers_equals_duckdb(
    generated_raw: tuple[Path, Path],
    generated_duckdb: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    with standalone_cluster(workers=2) as cluster:
        spark_db = build_spark(
            generated_raw[1], db=tmp_path / "c.duckdb", as_of=AS_OF, master=cluster.url,
            output="quiet",
        )  # fmt: skip
        # Both workers ran executors of the build.
        for work in cluster.worker_dirs:
            assert list(work.glob("app-*/*/stderr")), f"no executor ran on {work.name}"
    assert_same_serving_file(spark_db, generated_duckdb)


def test_java_home_from_the_environment_else_the_java_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    found = Path(java_home())
    assert (found / "bin" / "java").is_file()
    fake = tmp_path / "jdk"
    (fake / "bin").mkdir(parents=True)
    (fake / "bin" / "java").write_text("")
    monkeypatch.setenv("JAVA_HOME", str(fake))
    assert java_home() == str(fake)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))  # a stale JAVA_HOME is ignored
    assert java_home() == str(found)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BuildError, match="^Spark needs Java 17 or later: install a JDK or set"):
        java_home()

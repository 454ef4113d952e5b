"""Builds from an operational raw database (SPEC 1): a SQLite file made here with the original
CREATE TABLE statements, or a DuckDB file; the raw file is never written; missing required tables
and columns are named, missing optional ones read as null / no rows."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DEMO_AS_OF, DEMO_TABLES, demo_rows, write_sqlite

import eros_volume
from eros_volume.extensions import duckdb_config, ensure_sqlite_extension

SCRIPT = Path(sys.executable).with_name("eros-volume")
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "eros_volume.cli"]
# The marts the wrapper and the analysts read (SPEC 7 and 8).
MARTS = (
    "volume_config",
    "active_creators",
    "volume_assignment",
    "volume_score_monitor",
    "volume_assignment_audit",
    "creator_profile",
    "creator_analytics_summary",
    "creator_top_content_types",
)
OPTIONAL_TABLES = (
    "creator_personas",
    "top_content_types",
    "volume_performance_tracking",
    "volume_assignments",
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "EROS_RAW_DB"}
    return subprocess.run(
        [*COMMAND, *map(str, args)], capture_output=True, text=True, env=env, timeout=600
    )


def raw_sqlite(
    path: Path,
    tables: dict[str, list[dict]] | None = None,
    drop_tables: Iterable[str] = (),
    drop_columns: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """A SQLite raw database in the original schema, with some tables or columns removed."""
    write_sqlite(path, tables)
    with sqlite3.connect(path) as con:
        for table in drop_tables:
            con.execute(f"drop table {table}")
        for table, columns in (drop_columns or {}).items():
            for column in columns:
                con.execute(f"alter table {table} drop column {column}")
    con.close()
    return path


def sqlite_to_duckdb(source: Path, target: Path) -> Path:
    """A DuckDB raw database with the SQLite file's tables (copied by the sqlite scanner)."""
    ensure_sqlite_extension()
    with duckdb.connect(str(target), config=duckdb_config()) as con:
        con.execute(f"attach '{source}' as source (type sqlite, read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where database_name = 'source'"
            ).fetchall()
            if not name.startswith("sqlite_")
        ]
        for table in tables:
            con.execute(f"create table main.{table} as select * from source.{table}")
        con.execute("detach source")
    return target


def mart_rows(db: Path, mart: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select * from {mart} order by all").fetchall()


def leftovers(directory: Path, keep: Iterable[str]) -> list[str]:
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.name not in set(keep) and not p.name.endswith(".lock")
    )


@pytest.fixture(scope="module")
def sqlite_build(demo_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo seeds, as SQLite in the original schema, built by the CLI with the demo's as_of."""
    db = tmp_path_factory.mktemp("from_sqlite") / "eros_volume.duckdb"
    before = digest(demo_sqlite)
    result = run_cli("build", "--raw", demo_sqlite, "--as-of", DEMO_AS_OF, "--db", db, "--quiet")
    return {"db": db, "result": result, "raw_before": before, "raw_after": digest(demo_sqlite)}


@pytest.fixture(scope="module")
def duckdb_build(demo_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same tables in a DuckDB raw file, built through the API."""
    directory = tmp_path_factory.mktemp("from_duckdb")
    raw = sqlite_to_duckdb(demo_sqlite, directory / "raw.duckdb")
    before = digest(raw)
    db = eros_volume.build(
        db=directory / "eros_volume.duckdb", raw=raw, as_of=DEMO_AS_OF, echo=False
    )
    return {"db": db, "raw": raw, "raw_before": before, "raw_after": digest(raw)}


# --- the demo data through a raw database gives the demo build -----------------------------------


def test_sqlite_build_by_cli(sqlite_build: dict[str, Any]) -> None:
    result = sqlite_build["result"]
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""  # --quiet: errors only


def test_sqlite_raw_file_is_unchanged(sqlite_build: dict[str, Any], demo_sqlite: Path) -> None:
    assert sqlite_build["raw_after"] == sqlite_build["raw_before"]
    assert leftovers(demo_sqlite.parent, [demo_sqlite.name]) == []  # no -wal / -journal


def test_sqlite_build_equals_demo_build(sqlite_build: dict[str, Any], demo_db: Path) -> None:
    db = sqlite_build["db"]
    configs = eros_volume.connect(db).all_volume_configs()
    assert len(configs) == 52
    assert configs == eros_volume.connect(demo_db).all_volume_configs()
    for mart in MARTS:
        assert mart_rows(db, mart) == mart_rows(demo_db, mart), mart


def test_sqlite_build_answers_like_demo_build(sqlite_build: dict[str, Any], demo_db: Path) -> None:
    from_sqlite, demo = eros_volume.connect(sqlite_build["db"]), eros_volume.connect(demo_db)
    assert from_sqlite.get_active_creators() == demo.get_active_creators()
    for row in demo_rows("creators"):
        creator = row["creator_id"]
        assert from_sqlite.get_creator_profile(creator) == demo.get_creator_profile(creator)
    assert from_sqlite.get_volume_config("gracebennett")["volume_level"] == "High"


def test_duckdb_raw_build_equals_demo_build(duckdb_build: dict[str, Any], demo_db: Path) -> None:
    db = duckdb_build["db"]
    assert eros_volume.connect(db).all_volume_configs() == (
        eros_volume.connect(demo_db).all_volume_configs()
    )
    for mart in MARTS:
        assert mart_rows(db, mart) == mart_rows(demo_db, mart), mart
    assert duckdb_build["raw_after"] == duckdb_build["raw_before"]
    assert leftovers(db.parent, [db.name, "raw.duckdb"]) == []


# --- missing tables and columns ------------------------------------------------------------------


def test_missing_required_table_is_named(tmp_path: Path) -> None:
    raw = raw_sqlite(tmp_path / "no_messages.db", drop_tables=["mass_messages"])
    before = digest(raw)
    db = tmp_path / "eros_volume.duckdb"
    result = run_cli("build", "--raw", raw, "--as-of", DEMO_AS_OF, "--db", db, "--quiet")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("eros-volume: error: ")
    assert "missing required table mass_messages" in lines[0]
    assert not db.exists()
    assert digest(raw) == before
    assert leftovers(tmp_path, [raw.name]) == []


# The missing required column (creators.current_active_fans) is the failed build of
# test_concurrency.py, which also checks that the previous file keeps serving.


def test_missing_optional_tables_and_columns_read_as_null(tmp_path: Path, demo_db: Path) -> None:
    raw = raw_sqlite(
        tmp_path / "lean.db",
        drop_tables=["creator_personas", "top_content_types", "volume_assignments"],
        drop_columns={
            "creators": ["display_name", "timezone", "subscription_price", "persona_type"],
            "volume_performance_tracking": ["opportunity_score"],
        },
    )
    before = digest(raw)
    db = eros_volume.build(
        db=tmp_path / "eros_volume.duckdb", raw=raw, as_of=DEMO_AS_OF, echo=False
    )
    assert digest(raw) == before
    store, demo = eros_volume.connect(db), eros_volume.connect(demo_db)

    creators = store.get_active_creators()
    assert creators["count"] == 49
    for row in creators["creators"]:
        for column in ("display_name", "timezone", "subscription_price", "persona_type"):
            assert row[column] is None, (row["creator_id"], column)
        for column in ("primary_tone", "emoji_frequency", "slang_level"):
            assert row[column] is None, (row["creator_id"], column)
        assert row["current_active_fans"] is not None or row["creator_id"] == "malformed_null_fans"

    profile = store.get_creator_profile("gracebennett")
    assert profile["creator"]["display_name"] is None
    assert profile["creator"]["current_total_earnings"] == 51519.27
    assert profile["top_content_types"] == []
    assert (
        profile["analytics_summary"]
        == demo.get_creator_profile("grace_bennett")["analytics_summary"]
    )

    # A missing opportunity_score column reads as null: 50 with the flag, on every tracking row.
    for before_row, row in zip(demo.all_volume_configs(), store.all_volume_configs(), strict=True):
        assert row["creator_id"] == before_row["creator_id"]
        if row["data_source"] == "volume_performance_tracking":
            assert row["opportunity_score"] == 50.0
            assert "opportunity_missing" in row["data_quality_flags"]
            assert row["tracking_date"] == before_row["tracking_date"]
            assert row["saturation_score"] == before_row["saturation_score"]
        else:
            assert row == before_row
    grace = store.get_volume_config("grace_bennett")
    assert (grace["data_source"], grace["tracking_date"]) == (
        "volume_performance_tracking",
        "2025-12-15",
    )
    assert mart_rows(db, "volume_assignment_audit") == []


def test_empty_creators_and_only_required_tables(tmp_path: Path) -> None:
    tables = {"creators": [], "mass_messages": demo_rows("mass_messages")}
    raw = raw_sqlite(tmp_path / "empty.db", tables=tables, drop_tables=OPTIONAL_TABLES)
    with sqlite3.connect(raw) as con:
        names = {
            name for (name,) in con.execute("select name from sqlite_master where type='table'")
        }
    con.close()
    assert names & set(DEMO_TABLES) == {"creators", "mass_messages"}
    db = eros_volume.build(
        db=tmp_path / "eros_volume.duckdb", raw=raw, as_of=DEMO_AS_OF, echo=False
    )
    store = eros_volume.connect(db)
    assert store.all_volume_configs() == []
    assert store.get_active_creators() == {"creators": [], "count": 0}
    assert store.get_active_creators(tier="High", page_type="free") == {"creators": [], "count": 0}
    assert store.get_volume_config("grace_bennett") == {"error": "Creator not found: grace_bennett"}
    assert store.get_creator_profile("gracebennett") == {"error": "Creator not found: gracebennett"}
    # Marts with one row per creator are empty (the message summary is keyed by the messages).
    for mart in MARTS:
        if mart != "creator_analytics_summary":
            assert mart_rows(db, mart) == [], mart


# --- bad values: a typed DuckDB file flags the same messages as SQLite's text --------------------

# A usable PPV message of the demo inside the score windows, copied with one value changed:
# message_id -> (column, value, reason or None when the value is usable).
BAD_MESSAGES: dict[str, tuple[str, Any, str | None]] = {
    "900001": ("sent_count", -5, "negative sent_count"),
    "900002": ("viewed_count", -1, "negative viewed_count"),
    "900003": ("purchased_count", -2, "negative purchased_count"),
    "900004": ("earnings", float("inf"), "invalid earnings"),
    "900005": ("earnings", float("-inf"), "invalid earnings"),
    "900006": ("earnings", 1000000.5, "earnings above max_valid_earnings"),
    "900007": ("earnings", 1000000.0, None),
    "900008": ("sent_count", 0, None),
    "900009": ("earnings", None, None),
    "900010": ("earnings", float("nan"), "invalid earnings"),  # SQLite: the text 'NaN'
}


def bad_value_raws(directory: Path) -> tuple[Path, Path]:
    """The demo tables plus BAD_MESSAGES, as SQLite and as a DuckDB file with typed columns."""
    messages = demo_rows("mass_messages")
    template = next(
        row
        for row in messages
        if row["message_type"] == "ppv" and row["sending_time"] > "2025-12-10"
    )
    added = [
        {**template, "message_id": key, column: value if value == value else None}
        for key, (column, value, _) in BAD_MESSAGES.items()
    ]
    tables = {name: demo_rows(name) for name in DEMO_TABLES} | {"mass_messages": messages + added}
    sqlite_path = raw_sqlite(directory / "bad.db", tables)
    duckdb_path = sqlite_to_duckdb(sqlite_path, directory / "bad.duckdb")
    with sqlite3.connect(sqlite_path) as con:  # SQLite stores a NaN as null: store its text
        con.execute("update mass_messages set earnings = 'NaN' where message_id = 900010")
    con.close()
    with duckdb.connect(str(duckdb_path)) as con:
        con.execute("update mass_messages set earnings = 'nan'::double where message_id = 900010")
    return sqlite_path, duckdb_path


def rejected_messages(db: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select row_key, invalid_reason, invalid_value from int_raw_rows_rejected"
            " where table_name = 'mass_messages' order by row_key"
        ).fetchall()


def test_typed_duckdb_raw_flags_the_same_bad_values_as_sqlite(tmp_path: Path) -> None:
    sqlite_path, duckdb_path = bad_value_raws(tmp_path)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        query = "select column_name, data_type from duckdb_columns() where table_name = $1"
        types = dict(con.execute(query, ["mass_messages"]).fetchall())
    assert [types[c] for c in ("sent_count", "earnings")] == ["BIGINT", "DOUBLE"]  # read as stored
    builds = {}
    for name, raw in (("sqlite", sqlite_path), ("duckdb", duckdb_path)):
        builds[name] = eros_volume.build(
            db=tmp_path / f"{name}.duckdb", raw=raw, as_of=DEMO_AS_OF, echo=False
        )
    flagged = {key: (reason, value) for key, reason, value in rejected_messages(builds["sqlite"])}
    assert flagged == {
        "900001": ("negative sent_count", "-5"),
        "900002": ("negative viewed_count", "-1"),
        "900003": ("negative purchased_count", "-2"),
        "900004": ("invalid earnings", "Inf"),
        "900005": ("invalid earnings", "-Inf"),
        "900006": ("earnings above max_valid_earnings", "1000000.5"),
        "900010": ("invalid earnings", "NaN"),
    }
    assert {key for key, (_, _, reason) in BAD_MESSAGES.items() if reason} == set(flagged)
    from_duckdb = {
        key: (reason, value) for key, reason, value in rejected_messages(builds["duckdb"])
    }
    # The same rows and reasons; a typed value reads as DuckDB writes that number.
    assert from_duckdb == flagged | {
        "900004": ("invalid earnings", "inf"),
        "900005": ("invalid earnings", "-inf"),
        "900010": ("invalid earnings", "nan"),
    }
    for mart in MARTS:
        assert mart_rows(builds["duckdb"], mart) == mart_rows(builds["sqlite"], mart), mart


# --- the two ways of reading a SQLite table read the same rows -----------------------------------


def build_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a build but build_info (its build id and start time differ by run)."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where database_name = current_database()"
            ).fetchall()
            if name != "build_info"
        ]
        return {
            name: con.execute(f"select * exclude (build_id) from {name} order by all").fetchall()
            if "build_id" in [c[0] for c in con.execute(f"describe {name}").fetchall()]
            else con.execute(f"select * from {name} order by all").fetchall()
            for name in names
        }


def test_sqlite_filter_inside_sqlite_or_by_duckdbs_scan_reads_the_same_rows(
    tmp_path: Path,
) -> None:
    """raw_scan filters a SQLite table inside SQLite (sqlite_query, its index) or through
    DuckDB's parallel scan of the whole table, by the share of rows kept (var
    sqlite_pushdown_share). Forced each way on a generated file with bad values of every kind
    and history older than the windows, every table of the build is the same, and the build
    passes: flagged rows are kept for data_quality_issues, not failed on by the data tests."""
    from eros_volume.generate import generate
    from eros_volume.paths import dbt_state_dir

    raw = tmp_path / "raw.db"
    generate(raw, 40, 60, 3, as_of=DEMO_AS_OF, progress=False)
    bad = {  # value written into PPV messages of the last 14 days (rowid % 7 = n picks them)
        "sent_count": "'12abc'", "viewed_count": "-3", "purchased_count": "''",
        "earnings": "'NaN'", "sending_time": "'yesterday'", "creator_id": "null",
    }  # fmt: skip
    with sqlite3.connect(raw) as con:
        for n, (column, value) in enumerate(bad.items()):
            con.execute(
                f"update mass_messages set {column} = {value} where rowid % 50 = ?"
                " and message_type = 'ppv' and sending_time > ?",
                [n, "2025-12-03"],
            )
        con.execute("update mass_messages set sending_time = null where rowid % 50 = 7")
        for back, column, value in ((0, "saturation_score", "high"), (1, "tracking_date", "x")):
            con.execute(
                f"update volume_performance_tracking set {column} = ? where rowid ="
                " (select max(rowid) from volume_performance_tracking) - ?",
                [value, back],
            )
    con.close()
    tables, sql = {}, {}
    for share in ("0", "2"):  # 0: DuckDB's scan always; 2: inside SQLite always
        db = tmp_path / f"share_{share}.duckdb"
        result = run_cli("build", "--raw", raw, "--as-of", DEMO_AS_OF, "--db", db, "--quiet",
                         "--set", f"sqlite_pushdown_share={share}")  # fmt: skip
        assert result.returncode == 0, result.stderr
        tables[share] = build_tables(db)
        (compiled,) = dbt_state_dir(db, raw).rglob("compiled/**/stg_eros__mass_messages.sql")
        sql[share] = compiled.read_text()
    assert "sqlite_query(" not in sql["0"] and "sqlite_query(" in sql["2"]
    assert repr(tables["0"]) == repr(tables["2"])  # repr: NaN earnings are equal too
    rejected = [row for row in tables["0"]["int_raw_rows_rejected"] if row[0] == "mass_messages"]
    assert {row[4] for row in rejected} >= {"invalid creator_id", "invalid sending_time"}
    tracking = [row for row in tables["0"]["int_raw_rows_rejected"] if row[0] != "mass_messages"]
    reasons = sorted(row[4] for row in tracking)
    assert reasons == ["invalid saturation_score", "invalid tracking_date"]
    assert len(rejected) > 50  # bad rows are in the comparison
    assert len(tables["0"]["stg_eros__mass_messages"]) < 40 * 60 * 3 * 0.75  # old rows skipped

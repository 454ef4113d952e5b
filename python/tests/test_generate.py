"""The synthetic raw database generator (eros_volume.generate) on small sizes, both formats."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from oracle import tier_for

from eros_volume import raw_schema
from eros_volume.extensions import duckdb_config, ensure_sqlite_extension
from eros_volume.generate import generate
from eros_volume.raw_schema import RAW_SCHEMA_PATH, TABLES

CREATORS = 200
DAYS = 30
PER_DAY = 3.0
AS_OF = "2025-12-16 12:00:00"
AS_OF_DT = datetime(2025, 12, 16, 12)
EXPECTED_MESSAGES = CREATORS * DAYS * PER_DAY
# The per-creator rates are spread evenly around the mean, so the total is within about 1 %
# of creators * days * per day (documented in generate.py); 3 % leaves room for the draws.
TOLERANCE = 0.03

# Order of every table's rows, for comparing whole tables.
ORDER_BY = {
    "creators": "creator_id",
    "creator_personas": "persona_id",
    "mass_messages": "message_id",
    "volume_performance_tracking": "tracking_id",
    "top_content_types": "creator_id, analysis_date, rank",
    "volume_assignments": "assignment_id",
}
TIMESTAMP_COLUMNS = {
    "creators": ["created_at", "updated_at"],
    "creator_personas": ["last_analyzed"],
    "mass_messages": ["sending_time"],
    "volume_performance_tracking": ["calculated_at"],
    "volume_assignments": ["assigned_at"],
}
DATE_COLUMNS = {
    "volume_performance_tracking": ["tracking_date"],
    "top_content_types": ["analysis_date"],
}


def _generate(path: Path, fmt: str = "sqlite", seed: int = 0, **kwargs: Any) -> dict[str, int]:
    return generate(
        path,
        CREATORS,
        DAYS,
        PER_DAY,
        fmt=fmt,
        seed=seed,
        as_of=AS_OF,
        progress=False,
        **kwargs,
    )


def _columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as con:
        # table_info leaves out the generated columns; the generator writes the others.
        return [row[1] for row in con.execute(f"pragma table_info({table})")]


def _sqlite_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        columns = ", ".join(_columns(path, table))
        return con.execute(f"select {columns} from {table} order by {ORDER_BY[table]}").fetchall()
    finally:
        con.close()


def _duckdb_rows(path: Path, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            f"select {', '.join(columns)} from {table} order by {ORDER_BY[table]}"
        ).fetchall()


def _query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("gen") / "raw.db"
    return path, _generate(path)


@pytest.fixture(scope="module")
def duckdb_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("gen") / "raw.duckdb"
    return path, _generate(path, fmt="duckdb")


# --- counts -----------------------------------------------------------------------------------


def test_counts_as_requested(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    path, counts = sqlite_db
    assert set(counts) == set(TABLES)
    for table in TABLES:
        assert _query(path, f"select count(*) from {table}")[0][0] == counts[table], table
    assert counts["creators"] == CREATORS
    assert abs(counts["mass_messages"] - EXPECTED_MESSAGES) <= TOLERANCE * EXPECTED_MESSAGES
    # The shares of the docstring, loosely.
    assert 0.7 * CREATORS <= counts["creator_personas"] <= 1.0 * CREATORS
    active_assignments = _query(
        path, "select count(distinct creator_id) from volume_assignments where is_active = 1"
    )[0][0]
    assert 0.8 * CREATORS <= active_assignments <= 0.97 * CREATORS
    assert _query(path, "select count(*) from volume_assignments where is_active = 0")[0][0] > 0
    tracked = _query(path, "select count(distinct creator_id) from volume_performance_tracking")
    assert 0.2 * CREATORS <= tracked[0][0] <= 0.4 * CREATORS
    assert counts["top_content_types"] > 0


def test_message_count_scales_with_rate(tmp_path: Path) -> None:
    counts = generate(tmp_path / "r.db", 100, 10, 7, as_of=AS_OF, progress=False)
    assert abs(counts["mass_messages"] - 7000) <= TOLERANCE * 7000
    assert generate(tmp_path / "z.db", 10, 5, 0, as_of=AS_OF, progress=False)["mass_messages"] == 0


# --- determinism ------------------------------------------------------------------------------


def test_the_seed_decides_the_data(
    tmp_path: Path, sqlite_db: tuple[Path, dict[str, int]]
) -> None:
    again = tmp_path / "again.db"
    _generate(again)
    for table in TABLES:
        assert _sqlite_rows(again, table) == _sqlite_rows(sqlite_db[0], table), table
    other = tmp_path / "other.db"
    _generate(other, seed=1)
    for table in ("creators", "mass_messages", "volume_performance_tracking"):
        assert _sqlite_rows(other, table) != _sqlite_rows(sqlite_db[0], table), table
    fans = "select current_active_fans from creators order by creator_id"
    assert _query(other, fans) != _query(sqlite_db[0], fans)


def test_both_formats_hold_the_same_data(
    sqlite_db: tuple[Path, dict[str, int]], duckdb_db: tuple[Path, dict[str, int]]
) -> None:
    assert duckdb_db[1] == sqlite_db[1]
    for table in TABLES:
        columns = _columns(sqlite_db[0], table)
        assert _duckdb_rows(duckdb_db[0], table, columns) == _sqlite_rows(sqlite_db[0], table)


# --- schema -----------------------------------------------------------------------------------


def _fresh_schema(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.db"
    con = sqlite3.connect(path)
    con.executescript(RAW_SCHEMA_PATH.read_text(encoding="utf-8"))
    con.close()
    return path


def test_sqlite_has_the_original_schema(
    tmp_path: Path, sqlite_db: tuple[Path, dict[str, int]]
) -> None:
    fresh = _fresh_schema(tmp_path)
    master = "select type, name, tbl_name, sql from sqlite_master order by type, name"
    assert _query(sqlite_db[0], master) == _query(fresh, master)
    names = {row[0] for row in _query(sqlite_db[0], "select name from sqlite_master")}
    assert set(TABLES) <= names
    assert {"idx_mass_messages_sending_time", "idx_mass_messages_creator_time"} <= names
    for table in TABLES:
        xinfo = f"pragma table_xinfo({table})"
        assert _query(sqlite_db[0], xinfo) == _query(fresh, xinfo), table
    # the generated columns work
    rows = _query(
        sqlite_db[0],
        "select count(*) from mass_messages where sent_count > 0 and (view_rate is null "
        "or abs(revenue_per_send - earnings / sent_count) > 1e-12)",
    )
    assert rows == [(0,)]
    sequences = dict(_query(sqlite_db[0], "select name, seq from sqlite_sequence"))
    assert sequences["creator_personas"] == sqlite_db[1]["creator_personas"]


def test_sqlite_storage_classes(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    types = _query(
        sqlite_db[0],
        "select distinct typeof(message_id), typeof(sending_time), typeof(price), "
        "typeof(sent_count), typeof(earnings) from mass_messages",
    )
    assert types == [("integer", "text", "real", "integer", "real")]
    types = _query(
        sqlite_db[0],
        "select distinct typeof(subscription_price), typeof(is_active) from creators",
    )
    assert types == [("real", "integer")]


def test_duckdb_has_the_raw_schema_keeps_keys_and_continues_ids(
    tmp_path: Path, duckdb_db: tuple[Path, dict[str, int]]
) -> None:
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(duckdb_db[0], path)
    counts = duckdb_db[1]
    with duckdb.connect(str(path)) as con:
        for table, spec in raw_schema.tables().items():
            actual = con.execute(
                "select column_name, lower(data_type) from duckdb_columns()"
                " where table_name = ? order by column_index",
                [table],
            ).fetchall()
            expected = [(c.name, raw_schema.column_type(c, "duckdb")) for c in spec.columns]
            assert actual == expected, table
        row = con.execute(
            "select creator_id, tracking_date from volume_performance_tracking "
            "where tracking_period = '14d' order by tracking_id limit 1"
        ).fetchone()
        assert row is not None
        # an upsert on the unique key, as the tracking job does it
        con.execute(
            "insert into volume_performance_tracking (creator_id, tracking_date, "
            "tracking_period, saturation_score) values (?, ?, '14d', 1.0) "
            "on conflict (creator_id, tracking_date, tracking_period) "
            "do update set saturation_score = excluded.saturation_score",
            [row[0], row[1]],
        )
        updated = con.execute(
            "select count(*), min(saturation_score) from volume_performance_tracking "
            "where creator_id = ? and tracking_date = ? and tracking_period = '14d'",
            [row[0], row[1]],
        ).fetchone()
        assert updated == (1, 1.0)
        # a new row takes the next id and the original's defaults
        con.execute(
            "insert into volume_performance_tracking (creator_id, tracking_date) "
            "values ('c000001', '2000-01-01')"
        )
        new = con.execute(
            "select tracking_id, tracking_period, revenue_per_send_trend "
            "from volume_performance_tracking where tracking_date = '2000-01-01'"
        ).fetchone()
        assert new is not None and new[1:] == ("14d", 0.0)
        # after the generated ids (the upsert above may have drawn one from the sequence)
        assert new[0] in (
            counts["volume_performance_tracking"] + 1,
            counts["volume_performance_tracking"] + 2,
        )
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into creators (creator_id, page_name) values ('c000001', 'x')")


# --- content ----------------------------------------------------------------------------------


def test_all_tiers_represented(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    fans = [
        row[0]
        for row in _query(sqlite_db[0], "select current_active_fans from creators")
        if row[0] is not None and row[0] >= 0
    ]
    tiers = {name: sum(1 for value in fans if tier_for(value) == name) for name in _TIERS}
    assert all(count >= 0.05 * CREATORS for count in tiers.values()), tiers
    assert max(fans) >= 30000  # a long tail
    page_types = dict(_query(sqlite_db[0], "select page_type, count(*) from creators group by 1"))
    assert 0.7 * CREATORS <= page_types.get("paid", 0) <= 0.9 * CREATORS
    active = _query(sqlite_db[0], "select sum(is_active) from creators")[0][0]
    assert 0.88 * CREATORS <= active <= CREATORS
    assert _query(sqlite_db[0], "select count(distinct page_name) from creators") == [(CREATORS,)]
    ids = [row[0] for row in _query(sqlite_db[0], "select creator_id from creators")]
    assert all(re.fullmatch(r"c\d{6}", value) for value in ids)


_TIERS = ("Ultra", "High", "Mid", "Low")


def test_volume_assignment_levels(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    levels = {row[0] for row in _query(sqlite_db[0], "select volume_level from volume_assignments")}
    assert levels == set(_TIERS)
    per_creator = _query(
        sqlite_db[0],
        "select max(n) from (select count(*) as n from volume_assignments where is_active = 1 "
        "group by creator_id)",
    )
    assert per_creator == [(1,)]


def test_timestamps_parse(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    for table, columns in TIMESTAMP_COLUMNS.items():
        for column in columns:
            for (value,) in _query(sqlite_db[0], f"select distinct {column} from {table}"):
                datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    for table, columns in DATE_COLUMNS.items():
        for column in columns:
            for (value,) in _query(sqlite_db[0], f"select distinct {column} from {table}"):
                datetime.strptime(value, "%Y-%m-%d")


def test_messages_fall_in_the_window(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    first, last = _query(
        sqlite_db[0], "select min(sending_time), max(sending_time) from mass_messages"
    )[0]
    assert datetime.strptime(last, "%Y-%m-%d %H:%M:%S") <= AS_OF_DT
    assert datetime.strptime(first, "%Y-%m-%d %H:%M:%S") > AS_OF_DT - timedelta(days=DAYS)
    hours = _query(
        sqlite_db[0], "select count(distinct substr(sending_time, 12, 2)) from mass_messages"
    )
    assert hours == [(24,)]
    # every creator sends, on most days
    days = _query(
        sqlite_db[0],
        "select count(distinct creator_id), count(distinct substr(sending_time, 1, 10)) "
        "from mass_messages",
    )
    assert days == [(CREATORS, DAYS + 1)]  # 30 periods of 24 h from noon span 31 dates


def test_message_figures_are_plausible(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    rows = _query(
        sqlite_db[0],
        "select message_type, price, sent_count, viewed_count, purchased_count, earnings "
        "from mass_messages",
    )
    types = {row[0] for row in rows}
    assert types == {"ppv", "free"}
    ppv = [row for row in rows if row[0] == "ppv"]
    assert 0.75 * len(rows) <= len(ppv) <= 0.95 * len(rows)
    for message_type, price, sent, viewed, purchased, earnings in rows:
        assert earnings == pytest.approx(round(purchased * price, 2))
        assert 0 <= purchased <= viewed <= sent
        if sent >= 200:  # the rates hold before rounding to whole messages
            slack = 0.5 / sent
            assert 0.2 - slack <= viewed / sent <= 0.6 + slack
            if message_type == "ppv":
                assert 0.01 - slack <= purchased / sent <= 0.1 + slack
    assert all(row[1] > 0 for row in ppv)
    assert all(row[1] == 0 and row[5] == 0 for row in rows if row[0] == "free")


def test_tracking_rows(sqlite_db: tuple[Path, dict[str, int]]) -> None:
    rows = _query(
        sqlite_db[0],
        "select tracking_period, tracking_date, saturation_score, opportunity_score, "
        "revenue_per_send_trend from volume_performance_tracking",
    )
    periods = {row[0] for row in rows}
    assert periods == {"7d", "14d", "30d"}
    assert sum(1 for row in rows if row[0] == "14d") > 0.8 * len(rows)
    in_range = [row for row in rows if row[2] is not None and 0 <= row[2] <= 100]
    assert len(in_range) >= 0.95 * len(rows)
    assert all(-40 <= row[4] <= 40 for row in rows)
    recent = [row for row in rows if row[1] >= "2025-12-13"]
    assert len(recent) > 0.5 * len(rows)
    duplicates = _query(
        sqlite_db[0],
        "select creator_id, tracking_date, tracking_period from volume_performance_tracking "
        "group by 1, 2, 3 having count(*) > 1",
    )
    assert duplicates == []


def test_clean_data_without_dirty_rows(tmp_path: Path) -> None:
    path = tmp_path / "clean.db"
    generate(path, 300, 3, 1, as_of=AS_OF, progress=False, dirty_fraction=0)
    assert _query(
        path,
        "select count(*) from creators where current_active_fans is null "
        "or current_active_fans < 0 or page_type not in ('paid', 'free')",
    ) == [(0,)]
    assert _query(
        path,
        "select count(*) from volume_performance_tracking where saturation_score < 0 "
        "or saturation_score > 100 or opportunity_score is null or tracking_date > '2025-12-16'",
    ) == [(0,)]


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sqlite", "duckdb"])
def test_refuses_to_overwrite(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"raw.{fmt}"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        generate(path, 5, 2, 1, fmt=fmt, as_of=AS_OF, progress=False)
    assert path.read_bytes() == b"keep me"
    counts = generate(path, 5, 2, 1, fmt=fmt, as_of=AS_OF, progress=False, overwrite=True)
    assert counts["creators"] == 5
    assert path.read_bytes() != b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp file left


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path / "x.db", 5, 2, 1, fmt="csv", progress=False)
    with pytest.raises(ValueError):
        generate(tmp_path / "x.db", 0, 2, 1, progress=False)
    assert not (tmp_path / "x.db").exists()


def test_progress_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generate(tmp_path / "p.db", 5, 2, 1, as_of=AS_OF, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "mass_messages" in captured.err and "done" in captured.err
    generate(tmp_path / "q.db", 5, 2, 1, as_of=AS_OF, progress=False)
    assert capsys.readouterr().err == ""


def test_default_as_of_is_today_noon(tmp_path: Path) -> None:
    path = tmp_path / "today.db"
    generate(path, 20, 1, 5, progress=False)
    last = _query(path, "select max(sending_time) from mass_messages")[0][0]
    noon = datetime.combine(datetime.now().date(), datetime.min.time()).replace(hour=12)
    assert noon - timedelta(days=1) < datetime.strptime(last, "%Y-%m-%d %H:%M:%S") <= noon


def test_extension_install_is_idempotent(tmp_path: Path) -> None:
    directory = tmp_path / "ext"
    ensure_sqlite_extension(directory)
    ensure_sqlite_extension(directory)
    config = duckdb_config(directory)
    assert config["extension_directory"] == str(directory.resolve())
    assert config["autoinstall_known_extensions"] is False
    with duckdb.connect(config=config) as con:
        con.execute(f"attach '{tmp_path / 'a.db'}' as a (type sqlite)")
        con.execute("create table a.t (x integer)")

"""The tracking job (SPEC 6): `eros-volume track` upserts the day's (or a range's) tracking rows
into the operational database in one transaction; a second run changes nothing; a failure leaves
the table as it was; a build afterwards takes those creators' scores, with their trend, from
volume_performance_tracking. And `eros-volume demo-db`, which writes the demo as SQLite."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DEMO_AS_OF, DEMO_TABLES, demo_rows, made_row, write_sqlite

from eros_volume.build import build
from eros_volume.cli import main
from eros_volume.demo import days_to_today, shift
from eros_volume.raw_schema import create_table
from eros_volume.store import fetch_dicts, read_connection
from eros_volume.track import COLUMNS, TrackError, compute_rows, upsert

TABLE = "volume_performance_tracking"
AS_OF_DAY = DEMO_AS_OF[:10]


def sqlite_table(path: Path) -> list[tuple]:
    """The whole tracking table, every column, in a stable order."""
    con = sqlite3.connect(path)
    try:
        return con.execute(f"select * from {TABLE} order by tracking_id").fetchall()
    finally:
        con.close()


def duckdb_table(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select * from {TABLE} order by all").fetchall()
    finally:
        con.close()


def configs(db: Path) -> dict[str, dict[str, Any]]:
    with read_connection(db) as con:
        rows = fetch_dicts(con, "select * from volume_config")
    return {row["creator_id"]: row for row in rows}


# --- the demo, as written by `eros-volume demo-db` ------------------------------------------------


@pytest.fixture(scope="module")
def demo_tracked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """demo-db, then track twice (table snapshots and output of each run), then a build."""
    directory = tmp_path_factory.mktemp("track_demo")
    raw = directory / "demo.db"
    assert main(["demo-db", str(raw)]) == 0
    before = sqlite_table(raw)
    track = ["track", "--raw", str(raw), "--as-of", DEMO_AS_OF, "--quiet"]
    outputs = []
    snapshots = []
    for _ in range(2):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert main(track) == 0
        outputs.append(out.getvalue())
        snapshots.append(sqlite_table(raw))
    db = build(db=directory / "after.duckdb", raw=raw, as_of=DEMO_AS_OF, echo=False)
    return {
        "raw": raw,
        "before": before,
        "first": snapshots[0],
        "second": snapshots[1],
        "outputs": outputs,
        "db": db,
    }


def test_demo_db_is_the_demo_in_the_original_schema(demo_tracked: dict[str, Any]) -> None:
    con = sqlite3.connect(demo_tracked["raw"])
    try:
        for table in DEMO_TABLES:
            if table == TABLE:
                continue  # tracked since: its rows before the job are checked below
            (count,) = con.execute(f"select count(*) from {table}").fetchone()
            assert count == len(demo_rows(table)), table
        # The original schema: generated columns and the unique key are there.
        (ddl,) = con.execute(
            "select sql from sqlite_master where name = 'volume_performance_tracking'"
        ).fetchone()
        assert "UNIQUE (creator_id, tracking_date, tracking_period)" in ddl
        assert con.execute("select revenue_per_send from mass_messages limit 1").fetchone()
    finally:
        con.close()
    assert len(demo_tracked["before"]) == len(demo_rows(TABLE))


def test_track_writes_the_day_and_keeps_the_rest(
    demo_tracked: dict[str, Any], demo_db: Path
) -> None:
    before, first = demo_tracked["before"], demo_tracked["first"]
    # Every row that was there is still there, unchanged (no demo row is on the as_of day for a
    # creator with messages), and the new rows are the as_of day's.
    assert set(before) <= set(first)
    new = [row for row in first if row not in set(before)]
    with read_connection(demo_db) as con:
        expected = fetch_dicts(con, "select * from volume_performance_tracking_daily")
    assert len(new) == len(expected) > 0
    con = sqlite3.connect(demo_tracked["raw"])
    con.row_factory = sqlite3.Row
    try:
        written = {
            row["creator_id"]: dict(row)
            for row in con.execute(
                f"select * from {TABLE} where tracking_date = ? and calculated_at = ?",
                [AS_OF_DAY, DEMO_AS_OF],
            )
        }
        types = con.execute(
            f"select distinct typeof(tracking_date), typeof(calculated_at) from {TABLE}"
        ).fetchall()
    finally:
        con.close()
    assert set(written) == {row["creator_id"] for row in expected}
    for row in expected:
        stored = written[row["creator_id"]]
        for name in COLUMNS:
            value = row[name]
            wanted = pytest.approx(value) if isinstance(value, float) else value
            assert stored[name] == wanted, (row["creator_id"], name)
    assert [tuple(row) for row in types] == [("text", "text")]


def test_track_twice_changes_nothing(demo_tracked: dict[str, Any]) -> None:
    assert demo_tracked["second"] == demo_tracked["first"]
    n = len(demo_tracked["first"]) - len(demo_tracked["before"])
    first, second = demo_tracked["outputs"]
    assert f"{n} inserted, 0 updated, 0 unchanged" in first
    assert f"0 inserted, 0 updated, {n} unchanged" in second


def test_track_then_build_moves_on_demand_creators_to_tracking(
    demo_tracked: dict[str, Any], demo_db: Path
) -> None:
    before, after = configs(demo_db), configs(demo_tracked["db"])
    on_demand = {c for c, row in before.items() if row["data_source"] == "calculated_on_demand"}
    assert len(on_demand) == 15
    con = sqlite3.connect(demo_tracked["raw"])
    try:
        trends = dict(
            con.execute(
                f"select creator_id, revenue_per_send_trend from {TABLE}"
                " where tracking_date = ? and tracking_period = '14d'",
                [AS_OF_DAY],
            ).fetchall()
        )
    finally:
        con.close()
    for creator in on_demand:
        row = after[creator]
        assert row["data_source"] == "volume_performance_tracking", creator
        assert row["tracking_date"] == AS_OF_DAY
        assert row["revenue_trend"] == pytest.approx(trends[creator])
    assert not [c for c, row in after.items() if row["data_source"] == "calculated_on_demand"]
    # With their revenue trend: on demand the trend is 0; from the tracking rows it is not.
    assert any(after[c]["revenue_trend"] != 0 for c in on_demand)
    assert all(before[c]["revenue_trend"] == 0 for c in on_demand)
    # Creators without messages keep their defaults.
    defaults = {c for c, row in before.items() if row["data_source"] == "default_values"}
    assert {c for c, row in after.items() if row["data_source"] == "default_values"} == defaults


def test_upserting_the_written_rows_again_changes_nothing(
    tmp_path: Path, demo_tracked: dict[str, Any]
) -> None:
    raw = tmp_path / "again.db"
    shutil.copy(demo_tracked["raw"], raw)
    rows = [dict(zip(COLUMNS, r[1:], strict=True)) for r in sqlite_table(raw)]
    result = upsert(raw, [r for r in rows if r["tracking_date"] == AS_OF_DAY])
    assert (result.inserted, result.updated) == (0, 0)
    assert result.unchanged == result.rows > 0
    assert sqlite_table(raw) == demo_tracked["second"]


# --- atomicity and the table's shapes (no dbt: hand-made rows) ----------------------------------


def without_tracking_table(raw: Path) -> Path:
    """The SQLite file without its tracking table (the job creates it)."""
    con = sqlite3.connect(raw)
    with con:
        con.execute(f"drop table {TABLE}")
    con.close()
    return raw


def test_a_failure_midway_leaves_the_table_as_it_was(tmp_path: Path) -> None:
    raw = write_sqlite(tmp_path / "raw.db")
    con = sqlite3.connect(raw)
    with con:
        # Fails on the updates, which run after every insert of the same transaction.
        con.execute(
            f"create trigger fail_midway before update on {TABLE}"
            " when new.creator_id = 'grace_bennett'"
            " begin select raise(abort, 'injected failure'); end"
        )
    con.close()
    before = sqlite_table(raw)
    rows = [made_row("new_one"), made_row("new_two"), made_row("grace_bennett", "2025-12-15")]
    with pytest.raises(TrackError, match="unchanged: injected failure"):
        upsert(raw, rows)
    assert sqlite_table(raw) == before


def test_the_table_is_created_when_missing_and_updated_in_place(tmp_path: Path) -> None:
    raw = without_tracking_table(write_sqlite(tmp_path / "raw.db", {"creators": []}))
    first = upsert(raw, [made_row("a"), made_row("b")])
    assert first.created_table and first.inserted == 2
    ids = sqlite_table(raw)
    second = upsert(raw, [made_row("a", saturation=80.0), made_row("b")])
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 1)
    after = sqlite_table(raw)
    assert [row[0] for row in after] == [row[0] for row in ids]  # same tracking_id: updated
    assert after[0][COLUMNS.index("saturation_score") + 1] == 80.0


def test_a_table_without_the_unique_key_is_updated_then_inserted(tmp_path: Path) -> None:
    raw = tmp_path / "raw.db"
    con = sqlite3.connect(raw)
    with con:
        con.execute(
            f"create table {TABLE} (creator_id text, tracking_date text,"
            " tracking_period text, saturation_score real, opportunity_score real)"
        )
        con.execute(f"insert into {TABLE} values ('a', ?, '14d', 10, 20)", [AS_OF_DAY])
    con.close()
    result = upsert(raw, [made_row("a"), made_row("b")])
    assert (result.inserted, result.updated) == (1, 1)
    assert "revenue_per_send_trend" in result.skipped_columns
    table = sqlite_table_plain(raw)
    assert upsert(raw, [made_row("a"), made_row("b")]).unchanged == 2
    assert (
        sqlite_table_plain(raw)
        == table
        == [
            ("a", AS_OF_DAY, "14d", 55.0, 1.5),
            ("b", AS_OF_DAY, "14d", 55.0, 1.5),
        ]
    )


def sqlite_table_plain(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"select * from {TABLE} order by creator_id").fetchall()
    finally:
        con.close()


def test_a_table_without_the_key_columns_is_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw.db"
    con = sqlite3.connect(raw)
    with con:
        con.execute(f"create table {TABLE} (creator_id text, tracking_date text)")
    con.close()
    with pytest.raises(TrackError, match="lacks column"):
        upsert(raw, [made_row("a")])
    assert sqlite_table_plain(raw) == []


def test_a_failure_after_creating_the_table_leaves_no_table(tmp_path: Path) -> None:
    raw = without_tracking_table(write_sqlite(tmp_path / "raw.db", {"creators": []}))
    broken = [made_row("a"), {**made_row("b"), "creator_id": None}]  # not null: fails
    with pytest.raises(TrackError, match="unchanged: .*NOT NULL"):
        upsert(raw, broken)
    con = sqlite3.connect(raw)
    try:
        names = {row[0] for row in con.execute("select name from sqlite_master")}
    finally:
        con.close()
    assert TABLE not in names


# --- a database made here: SQLite (track a range, then build) and DuckDB ------------------------


def handmade_tables() -> dict[str, list[dict[str, Any]]]:
    """Three creators: `rising` (revenue per send 1.00 -> 1.25, +25 %), `steady` (no change),
    `quiet` (no messages). Messages sit 5-10 and 19-24 days before the as_of day, so each day of
    a backfill 2025-12-14..16 sees the same two windows."""
    day = dt.date.fromisoformat(AS_OF_DAY)
    creators = [
        {
            "creator_id": name,
            "page_name": f"{name}page",
            "page_type": "paid",
            "is_active": 1,
            "current_active_fans": fans,
        }
        for name, fans in (("rising", 6200), ("steady", 1200), ("quiet", 300))
    ]
    messages = []
    for creator, current_earnings in (("rising", 125.0), ("steady", 100.0)):
        for back, earnings in [(b, current_earnings) for b in range(5, 11)] + [
            (b, 100.0) for b in range(19, 25)
        ]:
            messages.append(
                {
                    "message_id": len(messages) + 1,
                    "creator_id": creator,
                    "page_name": f"{creator}page",
                    "sending_time": f"{day - dt.timedelta(days=back)} 12:00:00",
                    "message_type": "ppv",
                    "price": 10.0,
                    "sent_count": 100,
                    "viewed_count": 40,
                    "purchased_count": 3,
                    "earnings": earnings,
                }
            )
    return {"creators": creators, "mass_messages": messages}


def test_track_a_range_then_build_on_a_handmade_sqlite(tmp_path: Path) -> None:
    raw = without_tracking_table(write_sqlite(tmp_path / "raw.db", handmade_tables()))
    before = configs(build(db=tmp_path / "before.duckdb", raw=raw, as_of=DEMO_AS_OF, echo=False))
    assert before["rising"]["data_source"] == "calculated_on_demand"
    assert before["steady"]["data_source"] == "calculated_on_demand"
    assert before["quiet"]["data_source"] == "default_values"

    arguments = ["track", "--raw", str(raw), "--as-of", DEMO_AS_OF, "--quiet"]
    assert main([*arguments, "--from", "2025-12-14", "--to", AS_OF_DAY]) == 0
    con = sqlite3.connect(raw)
    try:
        rows = con.execute(
            f"select creator_id, tracking_date, calculated_at, revenue_per_send_trend from {TABLE}"
            " order by creator_id, tracking_date"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        (creator, day, moment, trend)
        for creator, trend in (("rising", 25.0), ("steady", 0.0))
        for day, moment in (
            ("2025-12-14", "2025-12-14 23:59:59"),
            ("2025-12-15", "2025-12-15 23:59:59"),
            (AS_OF_DAY, DEMO_AS_OF),
        )
    ]

    after = configs(build(db=tmp_path / "after.duckdb", raw=raw, as_of=DEMO_AS_OF, echo=False))
    for creator, trend in (("rising", 25.0), ("steady", 0.0)):
        assert after[creator]["data_source"] == "volume_performance_tracking"
        assert after[creator]["tracking_date"] == AS_OF_DAY
        assert after[creator]["revenue_trend"] == trend
        assert after[creator]["saturation_score"] == before[creator]["saturation_score"]
    # The trend now counts: +25 % moves rising's revenue items up, steady's stay.
    assert after["rising"]["revenue_items_per_day"] > before["rising"]["revenue_items_per_day"]
    assert after["steady"]["revenue_items_per_day"] == before["steady"]["revenue_items_per_day"]
    assert after["quiet"]["data_source"] == "default_values"


def write_duckdb(path: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """A DuckDB raw database in the generator's DuckDB schema, filled with ``tables``."""
    con = duckdb.connect(str(path))
    try:
        for table in DEMO_TABLES:
            for statement in create_table(table, "duckdb"):
                con.execute(statement)
        for table, rows in tables.items():
            columns = list(rows[0])
            marks = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into {table} ({', '.join(columns)}) values ({marks})",
                [[row[c] for c in columns] for row in rows],
            )
    finally:
        con.close()
    return path


def test_track_into_duckdb(tmp_path: Path) -> None:
    raw = write_duckdb(tmp_path / "raw.duckdb", handmade_tables())
    rows = compute_rows(raw, as_of=DEMO_AS_OF, echo=False)
    assert [(r["creator_id"], r["tracking_date"]) for r in rows] == [
        ("rising", AS_OF_DAY),
        ("steady", AS_OF_DAY),
    ]

    # With the unique key (the generator's schema): insert, then nothing changes.
    assert upsert(raw, rows).inserted == 2
    table = duckdb_table(raw)
    assert upsert(raw, rows).unchanged == 2
    assert duckdb_table(raw) == table

    # The table missing: created (DuckDB flavour of the original), then the same.
    missing = tmp_path / "missing.duckdb"
    shutil.copy(raw, missing)
    con = duckdb.connect(str(missing))
    con.execute(f"drop table {TABLE}")
    con.close()
    result = upsert(missing, rows)
    assert result.created_table and result.inserted == 2
    assert [r[1:] for r in duckdb_table(missing)] == [r[1:] for r in table]

    # No unique constraint, and a stale row of the key: updated in place, the other inserted.
    loose = tmp_path / "loose.duckdb"
    shutil.copy(raw, loose)
    con = duckdb.connect(str(loose))
    con.execute(f"create table copy as select * from {TABLE} where creator_id = 'rising'")
    con.execute(f"drop table {TABLE}")
    con.execute(f"alter table copy rename to {TABLE}")
    con.execute(f"update {TABLE} set saturation_score = 99")
    con.close()
    result = upsert(loose, rows)
    assert (result.inserted, result.updated) == (1, 1)
    assert [r[1:] for r in duckdb_table(loose)] == [r[1:] for r in table]  # no id default
    assert upsert(loose, rows).unchanged == 2

    # A failure midway rolls everything back.
    failing = tmp_path / "failing.duckdb"
    shutil.copy(raw, failing)
    con = duckdb.connect(str(failing))
    con.execute(f"delete from {TABLE}")
    con.execute(
        f"insert into {TABLE} (creator_id, tracking_date, tracking_period) values"
        " ('old', '2025-12-01', '14d')"
    )
    con.close()
    before = duckdb_table(failing)
    broken = [*rows, {**rows[0], "creator_id": None}]  # not null: fails after two inserts
    with pytest.raises(TrackError, match="unchanged"):
        upsert(failing, broken)
    assert duckdb_table(failing) == before


# --- the command line ---------------------------------------------------------------------------


def test_track_needs_a_raw_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EROS_RAW_DB", raising=False)
    assert main(["track"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("eros-volume: error: ") and "--raw" in err and "\n" not in err


def test_track_rejects_a_missing_file_and_bad_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["track", "--raw", str(tmp_path / "nope.db")]) != 0
    assert "not found" in capsys.readouterr().err
    raw = write_sqlite(tmp_path / "raw.db", {})
    assert main(["track", "--raw", str(raw), "--from", "2025-13-01"]) != 0
    err = capsys.readouterr().err
    assert "--from is not a date" in err and "Traceback" not in err


def test_track_refuses_from_after_to_before_dbt_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import eros_volume.track

    def no_dbt(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("dbt started")

    monkeypatch.setattr(eros_volume.track, "run_dbt", no_dbt)
    raw = write_sqlite(tmp_path / "raw.db", {})
    before = sqlite_table_plain(raw)
    arguments = ["track", "--raw", str(raw), "--from", "2025-12-16", "--to", "2025-12-14"]
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert err == "eros-volume: error: --from 2025-12-16 is after --to 2025-12-14\n"
    assert sqlite_table_plain(raw) == before


def test_demo_db_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.db"
    path.write_text("keep me")
    assert main(["demo-db", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert path.read_text() == "keep me"
    assert main(["demo-db", str(path), "--force"]) == 0
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_demo_db_shift_to_today(tmp_path: Path) -> None:
    path = tmp_path / "today.db"
    assert main(["demo-db", str(path), "--shift-to-today"]) == 0
    days = days_to_today()
    con = sqlite3.connect(path)
    try:
        (newest,) = con.execute(f"select max(tracking_date) from {TABLE}").fetchone()
        (sent,) = con.execute("select max(sending_time) from mass_messages").fetchone()
    finally:
        con.close()
    assert newest == shift(max(r["tracking_date"] for r in demo_rows(TABLE)), days)
    assert sent == shift(max(r["sending_time"] for r in demo_rows("mass_messages")), days)
    assert shift("2025-12-16 12:00:00", days).startswith(dt.date.today().isoformat())

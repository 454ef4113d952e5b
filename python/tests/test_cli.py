"""The eros-volume console script, run as a subprocess against the demo build: output, exit codes,
and bad input as one `eros-volume: error: ...` line on stderr (never a traceback)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import demo_rows, run_cli

import eros_volume

ACTIVE = [row for row in demo_rows("creators") if row["is_active"] == "1"]
run = run_cli


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def failed(result: subprocess.CompletedProcess, code: int, *needles: str) -> str:
    """The one error line, after checking the exit code, stdout and the line's form."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("eros-volume: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def store(demo_db: Path) -> eros_volume.VolumeStore:
    return eros_volume.connect(demo_db)


# --- show ----------------------------------------------------------------------------------------


def test_show_all_as_a_table_with_a_legend(demo_db: Path) -> None:
    lines = ok(run("show", "--db", demo_db)).splitlines()
    header, rows, legend = lines[0].split(), lines[1:53], lines[-1]
    assert header == [
        "creator", "level", "fans", "page", "rev", "eng", "ret", "f-up", "sat", "opp", "trend",
        "source", "flags",
    ]  # fmt: skip
    assert len(rows) == 52
    grace = next(line for line in rows if line.startswith("grace_bennett "))
    # Counts as integers, scores and the trend with two decimals, no flags as "-".
    assert grace.split() == [
        "grace_bennett", "High", "12434", "paid", "4", "3", "2", "4", "45.00", "65.00", "0.00",
        "volume_performance_tracking", "-",
    ]  # fmt: skip
    assert legend.startswith("legend: rev = revenue items per day; eng = engagement items per day")
    assert "sat = saturation score (0-100)" in legend
    assert "trend = revenue trend (% change)" in legend


def test_show_json_matches_the_wrapper(demo_db: Path, store: eros_volume.VolumeStore) -> None:
    shown = json.loads(ok(run("show", "grace_bennett", "hannahbrooks", "--json", "--db", demo_db)))
    assert shown == [
        store.get_volume_config("grace_bennett"),
        store.get_volume_config("hannah_brooks"),
    ]
    everything = json.loads(ok(run("show", "--json", "--db", demo_db)))
    assert everything == store.all_volume_configs()
    assert len(everything) == 52


def test_show_explain(demo_db: Path, store: eros_volume.VolumeStore) -> None:
    out = ok(run("show", "gracebennett", "--explain", "--db", demo_db))
    assert out == f"grace_bennett: {store.get_volume_config('grace_bennett')['explanation']}\n"


def test_show_reads_eros_volume_db(demo_db: Path) -> None:
    shown = json.loads(
        ok(run("show", "grace_bennett", "--json", env={"EROS_VOLUME_DB": str(demo_db)}))
    )
    assert shown[0]["volume_level"] == "High"


BAD_CHARACTERS = (
    "Invalid creator_id: creator_id contains invalid characters (only alphanumeric, underscore, "
    "and hyphen allowed)"
)


@pytest.mark.parametrize(
    ("creator", "message"),
    [
        ("nobody_here", "Creator not found: nobody_here"),
        ("bad id", BAD_CHARACTERS),
        ("x" * 101, "Invalid creator_id: creator_id exceeds maximum length of 100"),
        ("", "Invalid creator_id: creator_id cannot be empty"),
        ("o'brien", BAD_CHARACTERS),
    ],
)
def test_show_bad_creator(demo_db: Path, creator: str, message: str) -> None:
    assert failed(run("show", creator, "--db", demo_db), 2) == f"eros-volume: error: {message}"


def test_show_prints_what_it_found_and_an_error_line_per_name_not_found(
    demo_db: Path, store: eros_volume.VolumeStore
) -> None:
    names = ("grace_bennett", "nobody_here", "hannahbrooks", "x y")
    result = run("show", *names, "--json", "--db", demo_db)
    assert result.returncode == 2
    assert json.loads(result.stdout) == [
        store.get_volume_config("grace_bennett"),
        store.get_volume_config("hannah_brooks"),
    ]
    assert result.stderr.splitlines() == [
        "eros-volume: error: Creator not found: nobody_here",
        f"eros-volume: error: {BAD_CHARACTERS}",
    ]
    table = run("show", "grace_bennett", "nobody_here", "--db", demo_db)
    assert table.returncode == 2
    assert [line.split()[0] for line in table.stdout.splitlines()[:2]] == [
        "creator", "grace_bennett",
    ]  # fmt: skip
    assert table.stderr == "eros-volume: error: Creator not found: nobody_here\n"


# --- assignment ----------------------------------------------------------------------------------


def test_assignment(demo_db: Path) -> None:
    result = run("assignment", "grace_bennett", "--db", demo_db)
    lines = ok(result).splitlines()
    assert result.stderr == ""  # the DeprecationWarning is the API's, not printed here
    assert "volume_level: High" in lines
    assert "assigned_at: 2025-12-15" in lines
    assert "assigned_by: dynamic_calculation" in lines
    assert "_deprecated: True" in lines
    answer = json.loads(ok(run("assignment", "gracebennett", "--json", "--db", demo_db)))
    assert answer == {
        "volume_level": "High",
        "ppv_per_day": 4,
        "bump_per_day": 3,
        "assigned_at": "2025-12-15",
        "assigned_by": "dynamic_calculation",
        "assigned_reason": "fan_count_bracket",
        "_deprecated": True,
        "_message": "get_volume_assignment is deprecated. Use get_volume_config() for dynamic "
        "calculation with full metadata.",
    }


def test_assignment_bad_creator(demo_db: Path) -> None:
    failed(run("assignment", "nobody_here", "--db", demo_db), 2, "Creator not found: nobody_here")
    failed(run("assignment", "no/such", "--db", demo_db), 2, BAD_CHARACTERS)


# --- creators ------------------------------------------------------------------------------------


def test_creators_table(demo_db: Path) -> None:
    lines = ok(run("creators", "--db", demo_db)).splitlines()
    assert lines[0].split()[:2] == ["creator", "page"]
    assert lines[-1] == f"{len(ACTIVE)} creators"
    rows = [line.split() for line in lines[1:-1]]
    by_earnings = sorted(ACTIVE, key=lambda r: -float(r["current_total_earnings"]))
    assert [row[0] for row in rows] == [r["creator_id"] for r in by_earnings]
    # Earnings with two decimals, as every money column.
    assert [row[4] for row in rows] == [
        f"{float(r['current_total_earnings']):.2f}" for r in by_earnings
    ]


def test_creators_json_and_filters(demo_db: Path, store: eros_volume.VolumeStore) -> None:
    assert json.loads(ok(run("creators", "--json", "--db", demo_db))) == store.get_active_creators()
    by_tier = json.loads(ok(run("creators", "--tier", "2", "--json", "--db", demo_db)))
    assert by_tier == store.get_active_creators(tier=2)
    assert by_tier["count"] == len([r for r in ACTIVE if r["performance_tier"] == "2"])
    by_level = json.loads(ok(run("creators", "--tier", "uLtRa", "--json", "--db", demo_db)))
    assert by_level == store.get_active_creators(tier="Ultra")
    assert by_level["count"] >= 5
    free_high = json.loads(
        ok(run("creators", "--tier", "High", "--page-type", "free", "--json", "--db", demo_db))
    )
    assert free_high == store.get_active_creators(tier="High", page_type="free")
    assert {row["page_type"] for row in free_high["creators"]} == {"free"}
    table = ok(run("creators", "--page-type", "free", "--db", demo_db)).splitlines()
    assert table[-1] == f"{store.get_active_creators(page_type='free')['count']} creators"


def test_creators_bad_filters(demo_db: Path) -> None:
    failed(
        run("creators", "--tier", "Mega", "--db", demo_db),
        2,
        "tier must be an integer performance tier or one of Low, Mid, High, Ultra",
    )
    failed(
        run("creators", "--page-type", "vip", "--db", demo_db),
        2,
        "page_type must be 'paid' or 'free'",
    )


# --- profile -------------------------------------------------------------------------------------


def test_profile(demo_db: Path, store: eros_volume.VolumeStore) -> None:
    profile = json.loads(ok(run("profile", "gracebennett", "--db", demo_db)))
    assert profile == store.get_creator_profile("grace_bennett")
    assert profile["volume_assignment"]["volume_level"] == "High"


def test_profile_bad_creator(demo_db: Path) -> None:
    failed(run("profile", "nobody_here", "--db", demo_db), 2, "Creator not found: nobody_here")
    failed(run("profile", "a b", "--db", demo_db), 2, BAD_CHARACTERS)


# --- build: bad input is refused before dbt runs -------------------------------------------------


@pytest.fixture()
def served(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo build that a failing build must leave as it is."""
    path = tmp_path / "served.duckdb"
    path.write_bytes(demo_db.read_bytes())
    return path


def test_build_raw_path_missing(served: Path, tmp_path: Path) -> None:
    before = digest(served)
    missing = tmp_path / "no_such.db"
    failed(
        run("build", "--raw", missing, "--db", served), 2, "raw database not found", "no_such.db"
    )
    assert digest(served) == before
    assert not missing.exists()


def test_build_raw_path_not_a_database(served: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("creator_id,page_name\ngrace_bennett,gracebennett\n")
    failed(run("build", "--raw", text, "--db", served), 2, "neither SQLite nor DuckDB", "notes.txt")
    failed(run("build", "--raw", tmp_path, "--db", served), 2, "not a file")
    empty = tmp_path / "empty.db"
    empty.touch()
    failed(run("build", "--raw", empty, "--db", served), 2, "empty.db")
    assert text.read_text().startswith("creator_id")


@pytest.mark.parametrize("as_of", ["yesterday", "2025-13-01 00:00:00", "2025-12-16 25:00:00", ""])
def test_build_as_of_not_a_timestamp(served: Path, as_of: str) -> None:
    before = digest(served)
    failed(run("build", "--as-of", as_of, "--db", served), 2, "--as-of", "not a timestamp")
    assert digest(served) == before
    assert sorted(p.name for p in served.parent.iterdir()) == ["served.duckdb"]


def test_lookup_on_a_database_that_is_not_a_build(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    for args in (("show", "grace_bennett"), ("creators",), ("profile", "grace_bennett")):
        failed(run(*args, "--db", other), 1, "other.duckdb", "not an eros-volume build")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("build", "--as-of"), "eros-volume: error: build: argument --as-of: expected one"),
        (("nonsense",), "eros-volume: error: argument COMMAND: invalid choice: 'nonsense'"),
        (("creators", "--tier"), "eros-volume: error: creators: argument --tier: expected one"),
    ],
)
def test_argument_errors_are_one_line(args: tuple[str, ...], line: str) -> None:
    assert failed(run(*args), 2).startswith(line)

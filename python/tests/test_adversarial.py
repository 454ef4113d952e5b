"""The adversarial cases of issue 10, one named test each: every one failed (or was only partly
right) on the tree the issue was filed against, and passes now. The data-quality cases of item 1
are the dbt models' (unit and data tests); this file holds what the wrapper and the CLI do."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import COMMAND, DEMO_AS_OF, DEMO_DIR, DEMO_TABLES, demo_rows, run_cli, write_sqlite

import eros_volume
from eros_volume.build import remove_stale_temporaries

ANSI = re.compile(r"\x1b\[")
# Six weeks after the demo's newest message: every source is stale at this as_of.
LATE_AS_OF = "2026-01-31 12:00:00"
# Stored creator ids the lookups refuse (the original's texts), each reachable by its page_name.
BAD_CHARACTERS = (
    "Invalid creator_id: creator_id contains invalid characters (only alphanumeric, underscore, "
    "and hyphen allowed)"
)
ODD_CREATORS = {
    "o'brien": ("obrien_page", BAD_CHARACTERS),
    "zo\u00eb_k": ("zoe_k_page", BAD_CHARACTERS),
    "x" * 101: ("long_id_page", "Invalid creator_id: creator_id exceeds maximum length of 100"),
}
LOG_AT_END = re.compile(r"; full log: (\S+\.log)$")


cli = run_cli


def one_error_line(result: subprocess.CompletedProcess, code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("eros-volume: error")]
    assert len(lines) == 1, result.stderr
    assert not ANSI.search(lines[0]), lines[0]
    return lines[0]


def log_named_by(line: str) -> Path:
    match = LOG_AT_END.search(line)
    assert match, line
    log = Path(match.group(1))
    assert log.is_file() and log.stat().st_size > 0
    return log


@pytest.fixture()
def served(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "served.duckdb"
    path.write_bytes(demo_db.read_bytes())
    return path


@pytest.fixture(scope="module")
def duckdb_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo seeds as a DuckDB raw database (text columns, as read from the CSV files)."""
    path = tmp_path_factory.mktemp("duckdb_raw") / "raw.duckdb"
    with duckdb.connect(str(path)) as con:
        for table in DEMO_TABLES:
            csv = DEMO_DIR / f"{table}.csv"
            con.execute(f"create table {table} as from read_csv(?, all_varchar = true)", [str(csv)])
    return path


# --- item 2: a failure names its cause, from dbt's structured results ----------------------------


def test_truncated_raw_database_names_the_cause(served: Path, demo_sqlite: Path, tmp_path: Path):
    truncated = tmp_path / "truncated.db"
    data = demo_sqlite.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    line = one_error_line(cli("build", "--raw", truncated, "--db", served, "--quiet"), 1)
    assert "database disk image is malformed" in line
    assert "Encountered an error" not in line and "Runtime Error" not in line
    log_named_by(line)


def test_locked_raw_database_names_the_cause(served: Path, demo_sqlite: Path, tmp_path: Path):
    locked = tmp_path / "locked.db"
    locked.write_bytes(demo_sqlite.read_bytes())
    writer = sqlite3.connect(locked, isolation_level=None)
    try:
        writer.execute("begin exclusive")
        result = cli("build", "--raw", locked, "--as-of", DEMO_AS_OF, "--db", served, "--quiet")
    finally:
        writer.close()
    line = one_error_line(result, 1)
    assert "database is locked" in line
    log_named_by(line)


def test_duplicate_creator_id_names_the_test_and_the_id(served: Path, tmp_path: Path, duckdb_raw):
    raw = tmp_path / "duplicate.duckdb"
    raw.write_bytes(duckdb_raw.read_bytes())
    with duckdb.connect(str(raw)) as con:
        con.execute(
            "insert into creators select * replace ('second_page' as page_name)"
            " from creators where creator_id = 'grace_bennett'"
        )
    line = one_error_line(
        cli("build", "--raw", raw, "--as-of", DEMO_AS_OF, "--db", served, "--quiet"), 1
    )
    assert "test stg_eros__creators__column_checks:" in line, line
    assert "failed_check=unique creator_id, failing_rows=1, example=grace_bennett" in line
    # Never a passing unit test quoted for a failure (the old line grepped dbt's log for "error").
    assert "unit test" not in line
    log_named_by(line)


def test_default_output_is_a_line_per_stage(served: Path) -> None:
    result = cli("build", "--db", served)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert 3 <= len(lines) <= 8, lines
    assert lines[0].startswith("dbt: Found ")
    assert lines[-2].startswith("dbt: Done. PASS=")
    assert lines[-1] == f"built {served}"
    assert not ANSI.search(result.stderr)


def test_quiet_prints_only_errors_and_verbose_prints_dbt_log(served: Path, tmp_path: Path):
    text = tmp_path / "not_a_build.duckdb"
    duckdb.connect(str(text)).close()
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    quiet = cli("build", "--raw", broken, "--db", served, "--quiet")
    assert quiet.stderr.splitlines() == [one_error_line(quiet, 1)]
    verbose = cli("build", "--raw", broken, "--db", served, "--verbose")
    one_error_line(verbose, 1)
    assert any(line.startswith("Running with dbt=") for line in verbose.stderr.splitlines())


# --- item 3: stale data is said out loud ---------------------------------------------------------


@pytest.fixture(scope="module")
def late_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    """The demo, plus creators with ids outside [A-Za-z0-9_-], built six weeks after its data:
    (raw database, build file, the CLI's result)."""
    folder = tmp_path_factory.mktemp("late")
    tables = {name: demo_rows(name) for name in DEMO_TABLES}
    template = next(row for row in tables["creators"] if row["creator_id"] == "grace_bennett")
    for creator_id, (page_name, _) in ODD_CREATORS.items():
        tables["creators"].append({**template, "creator_id": creator_id, "page_name": page_name})
    raw = write_sqlite(folder / "odd.db", tables)
    db = folder / "late.duckdb"
    return raw, db, cli("build", "--raw", raw, "--as-of", LATE_AS_OF, "--db", db)


def test_stale_data_warns_in_one_line(late_build: tuple[Path, Path, Any]) -> None:
    _, db, result = late_build
    assert result.returncode == 0, result.stderr
    # (A first build also says, in its own line, that the published history starts here.)
    warnings = [line for line in result.stderr.splitlines() if "stale" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"eros-volume: warning: stale data for as_of {LATE_AS_OF}: ")
    assert warnings[0].endswith("; more than stale_data_days = 3")
    assert "message" in warnings[0] and "tracking row" in warnings[0]
    assert result.stderr.splitlines()[-1] == f"built {db}"


def test_stale_data_with_strict_fails_and_keeps_the_build(
    late_build: tuple[Path, Path, Any], served: Path
) -> None:
    raw = late_build[0]
    before = served.read_bytes()
    line = one_error_line(
        cli("build", "--raw", raw, "--as-of", LATE_AS_OF, "--db", served, "--strict"), 1
    )
    assert line.startswith(f"eros-volume: error: build refused (--strict), {served} unchanged: ")
    assert f"stale data for as_of {LATE_AS_OF}" in line
    assert served.read_bytes() == before


def test_show_prints_as_of_and_data_age(late_build: tuple[Path, Path, Any], demo_db: Path):
    late = cli("show", "--db", late_build[1]).stdout.splitlines()
    assert late[-2].startswith(f"as_of {LATE_AS_OF}; ")
    demo = cli("show", "--db", demo_db).stdout.splitlines()
    assert demo[-2] == (
        f"as_of {DEMO_AS_OF}; newest message 2025-12-16 12:00:00 (0 days before as_of), "
        "newest tracking row 2025-12-16 (0 days before as_of)"
    )


# --- item 7: every creator reachable or flagged --------------------------------------------------


@pytest.mark.parametrize("creator_id", list(ODD_CREATORS), ids=["quote", "unicode", "too-long"])
def test_unsupported_creator_id_is_flagged_and_reachable_by_page_name(
    late_build: tuple[Path, Path, Any], creator_id: str
) -> None:
    page_name, error = ODD_CREATORS[creator_id]
    store = eros_volume.connect(late_build[1])
    assert store.get_volume_config(creator_id) == {"error": error}
    config = store.get_volume_config(page_name)
    assert config["creator_id"] == creator_id
    assert "creator_id_unsupported" in config["data_quality_flags"]
    profile = store.get_creator_profile(page_name)
    assert profile["creator"]["creator_id"] == creator_id
    assert profile["volume_assignment"] == config


# --- item 5: process hygiene ---------------------------------------------------------------------


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporary_files_of_dead_builds_are_removed(tmp_path: Path) -> None:
    db = tmp_path / "eros_volume.duckdb"
    pid = dead_pid()
    stale = [tmp_path / f"eros_volume.duckdb.building-{pid}{end}" for end in ("", ".wal")]
    alive = tmp_path / f"eros_volume.duckdb.building-{os.getpid()}"
    for path in (*stale, alive):
        path.write_bytes(b"x" * 1000)
    assert sorted(remove_stale_temporaries(db)) == sorted(stale)
    assert alive.exists()  # a build still running is left alone


def children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def dbt_child(parent: int, timeout: float = 120) -> int:
    """The dbt process the CLI started, once it runs dbt."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children(parent):
            with contextlib.suppress(OSError):
                if b"dbt\0build\0" in Path(f"/proc/{child}/cmdline").read_bytes():
                    return child
        time.sleep(0.1)
    raise AssertionError("dbt never started")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_dbt_and_removes_the_temporary_file(
    served: Path, sig: signal.Signals, code: int
) -> None:
    before = served.read_bytes()
    process = subprocess.Popen(
        [*COMMAND, "build", "--db", str(served), "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "EROS_RAW_DB"},
    )
    child = dbt_child(process.pid)
    time.sleep(3)  # dbt parsing or building
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "Traceback" not in err
    assert not running(child)
    left = sorted(p.name for p in served.parent.iterdir())
    assert left == ["served.duckdb", "served.duckdb.lock"]
    assert served.read_bytes() == before


# --- item 6: readers fail fast and never reach the network ---------------------------------------


@pytest.mark.parametrize("kind", ["text", "directory", "sqlite", "empty"])
def test_reader_on_a_file_that_is_not_a_build_fails_fast(
    kind: str, tmp_path: Path, demo_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / f"{kind}.duckdb"
    if kind == "text":
        target.write_text("creator_id,page_name\n")
    elif kind == "directory":
        target.mkdir()
    elif kind == "sqlite":
        target.write_bytes(demo_sqlite.read_bytes())
    else:
        target.touch()
    monkeypatch.setenv("EROS_VOLUME_DB", str(target))
    start = time.monotonic()
    answer = eros_volume.get_volume_config("grace_bennett")
    assert time.monotonic() - start < 1
    assert list(answer) == ["error"] and str(target) in answer["error"]
    assert "not an eros-volume build" in answer["error"]
    line = one_error_line(cli("show", "--db", target), 1)
    assert str(target) in line


def test_python_functions_return_error_dicts_for_a_bad_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    monkeypatch.setenv("EROS_VOLUME_DB", str(bad))
    expected = {"error": f"{bad} is not an eros-volume build (not a DuckDB file)"}
    assert eros_volume.get_volume_config("grace_bennett") == expected
    assert eros_volume.get_active_creators(tier=1) == expected
    assert eros_volume.get_creator_profile("grace_bennett") == expected
    with pytest.warns(DeprecationWarning):
        assert eros_volume.get_volume_assignment("grace_bennett") == expected


# --- item 8: legacy fidelity ---------------------------------------------------------------------


def test_profile_is_active_is_an_integer(demo_db: Path) -> None:
    store = eros_volume.connect(demo_db)
    creator = store.get_creator_profile("grace_bennett")["creator"]
    assert type(creator["is_active"]) is int and creator["is_active"] == 1
    inactive = next(r["creator_id"] for r in demo_rows("creators") if r["is_active"] == "0")
    assert store.get_creator_profile(inactive)["creator"]["is_active"] == 0


# --- item 9: extensions on demand ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "installed"), [("duckdb", []), ("sqlite", ["sqlite_scanner.duckdb_extension"])]
)
def test_raw_build_installs_only_the_extension_it_reads_with(
    kind: str, installed: list[str], served: Path, duckdb_raw: Path, demo_sqlite: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    # A DuckDB raw file needs no extension (the SQLite-only setting is not set for it); a SQLite
    # one gets the shipped scanner installed on first use, with no setup step.
    raw = duckdb_raw if kind == "duckdb" else demo_sqlite
    folder = tmp_path / "no_extensions"
    result = cli(
        "build", "--raw", raw, "--as-of", DEMO_AS_OF, "--db", served, "--quiet",
        env={"EROS_EXTENSION_DIR": str(folder)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [p.name for p in folder.rglob("*.duckdb_extension")] == installed
    assert eros_volume.connect(served).get_volume_config("grace_bennett")["fan_count"] == 12434


def test_setup_installs_no_extension() -> None:
    setup = (Path(__file__).parents[2] / "scripts" / "setup.sh").read_text()
    assert "extension" not in setup


# --- item 10: bad arguments refused before dbt starts, exit 2 ------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("track", "--raw", "{raw}", "--from", "2025-12-10", "--to", "2025-12-01"), "--from"),
        (("track", "--raw", "{raw}", "--as-of", DEMO_AS_OF, "--to", "2025-12-17"),
         "after the day of --as-of"),
        (("creators", "--tier", "0"), "tier must be"),
        (("creators", "--tier", "99"), "tier must be"),
        (("generate", "--creators", "1", "--days", "1", "--messages-per-creator-per-day", "1",
          "--out", "{missing}/raw.db"), "no such directory"),
        (("dashboard", "--out", "{missing}/dashboard.html"), "no such directory"),
    ],
    ids=["track-from-after-to", "track-to-after-as-of", "tier-0", "tier-99", "generate-out",
         "dashboard-out"],
)  # fmt: skip
def test_bad_argument_refused_before_any_work(
    args: tuple[str, ...], needle: str, demo_db: Path, demo_sqlite: Path, tmp_path: Path
) -> None:
    filled = [a.format(raw=demo_sqlite, missing=tmp_path / "missing") for a in args]
    start = time.monotonic()
    line = one_error_line(cli(*filled, env={"EROS_VOLUME_DB": str(demo_db)}), 2)
    assert time.monotonic() - start < 5
    assert needle in line
    assert not (tmp_path / "missing").exists()

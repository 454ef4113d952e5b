"""Fast refresh (issue 11): `eros-volume serve`, a long-lived process refreshing the build file
when the raw database changes, publishing only whole, tested builds and stopping cleanly on
SIGTERM; and cold builds that keep dbt's saved parse from one build to the next."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from conftest import DEMO_AS_OF, write_sqlite

import eros_volume
from eros_volume import change_control
from eros_volume.paths import KEPT_STATE_DIRS, STATE_IDLE_SECONDS, dbt_state_dir
from eros_volume.serve import Stopped, log_refresh, parse_every

EROS_VOLUME = str(Path(sys.executable).with_name("eros-volume"))
REFRESH_TIMEOUT = 240  # seconds: a refresh takes a few seconds, more on a loaded machine
REFRESHED = re.compile(r"refreshed .* in [\d.]+ s: (\d+) creators, (\d+) changed$")


class Serve:
    """A running `eros-volume serve` and its log lines."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def refreshes(self) -> list[str]:
        return [line for line in self.lines if "refreshed " in line or "refresh failed" in line]

    def wait_refreshes(self, count: int) -> list[str]:
        """The first ``count`` refresh lines (successes and failures), waiting for them."""
        deadline = time.monotonic() + REFRESH_TIMEOUT
        while len(self.refreshes()) < count:
            assert self.process.poll() is None, "\n".join(self.lines)
            assert time.monotonic() < deadline, "\n".join(self.lines)
            time.sleep(0.1)
        return self.refreshes()[:count]


@contextmanager
def serving(db: Path, raw: Path, every: str = "1h") -> Iterator[Serve]:
    db.parent.mkdir(exist_ok=True)
    command = [EROS_VOLUME, "serve", "--db", str(db), "--raw", str(raw), "--every", every]
    process = subprocess.Popen(
        [*command, "--as-of", DEMO_AS_OF],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={key: value for key, value in os.environ.items() if key != "EROS_RAW_DB"},
    )
    serve = Serve(process)
    try:
        yield serve
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        serve.reader.join(timeout=10)


def set_fans(raw: Path, fans: dict[str, int]) -> None:
    with sqlite3.connect(raw) as con:
        con.executemany(
            "update creators set current_active_fans = ? where creator_id = ?",
            [(value, creator) for creator, value in fans.items()],
        )
    con.close()


def demo_fans(raw: Path) -> dict[str, int]:
    """Each creator's fan count in the raw file, for creators with a positive one."""
    with sqlite3.connect(raw) as con:
        rows = con.execute("select creator_id, current_active_fans from creators").fetchall()
    con.close()
    return {creator: int(fans) for creator, fans in rows if fans is not None and int(fans) > 0}


def test_every_is_a_positive_duration() -> None:
    assert [parse_every(text) for text in ("45", "30s", "10m", "2h", "1d")] == [
        45,
        30,
        600,
        7200,
        86400,
    ]
    for bad in ("", "0", "10 minutes", "-5m", "m"):
        with pytest.raises(eros_volume.BuildError, match="--every is not a duration"):
            parse_every(bad)


class FailingRefresher:
    db_path = Path("/srv/eros_volume.duckdb")
    history_note = None

    def refresh(self) -> None:
        raise RuntimeError("Query interrupted")  # what DuckDB raises when a signal stops a query


def test_a_refresh_failing_is_one_line_unless_a_stop_caused_it() -> None:
    """Any exception of a refresh is one log line and serving goes on; the same exception
    while SIGTERM's stop is set (DuckDB's "Query interrupted") is a stop, with no line."""
    lines: list[str] = []
    stop = threading.Event()
    log_refresh(FailingRefresher(), lines.append, stop)  # type: ignore[arg-type]
    assert len(lines) == 1 and lines[0].startswith("refresh failed after ")
    assert lines[0].endswith("/srv/eros_volume.duckdb unchanged: Query interrupted")
    stop.set()
    with pytest.raises(Stopped):
        log_refresh(FailingRefresher(), lines.append, stop)  # type: ignore[arg-type]
    assert len(lines) == 1


def test_a_raw_change_is_refreshed_and_a_broken_raw_keeps_the_last_build(tmp_path: Path) -> None:
    raw = write_sqlite(tmp_path / "eros.db")
    db = tmp_path / "serving" / "eros_volume.duckdb"
    with serving(db, raw) as serve:
        first = REFRESHED.search(serve.wait_refreshes(1)[0])
        assert first is not None and first.groups() == ("52", "52")  # no build before: all new
        store = eros_volume.connect(db)
        assert store.get_volume_config("mia_castillo")["volume_level"] == "Ultra"
        # --as-of reached dbt: an on-demand creator's tracking_date is the day of as_of.
        assert store.get_volume_config("bella_quinn")["tracking_date"] == DEMO_AS_OF[:10]

        set_fans(raw, {"mia_castillo": 800})  # Ultra -> Low (SPEC 2: below 1,000 fans)
        second = REFRESHED.search(serve.wait_refreshes(2)[1])
        assert second is not None and second.groups() == ("52", "1")
        good = eros_volume.connect(db).all_volume_configs()
        assert next(r for r in good if r["creator_id"] == "mia_castillo")["volume_level"] == "Low"

        with sqlite3.connect(raw) as con:
            con.execute("alter table creators drop column current_active_fans")
        con.close()
        failed = serve.wait_refreshes(3)[2]
        assert failed.endswith("missing required column current_active_fans"), failed
        assert "refresh failed" in failed
        assert eros_volume.connect(db).all_volume_configs() == good
    assert serve.process.returncode == 0
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name, f"{db.name}.lock"]


def test_sigterm_mid_refresh_leaves_the_last_build_and_nothing_else(tmp_path: Path) -> None:
    raw = write_sqlite(tmp_path / "eros.db")
    db = tmp_path / "serving" / "eros_volume.duckdb"
    with serving(db, raw) as serve:
        serve.wait_refreshes(1)
        before = eros_volume.connect(db).all_volume_configs()
        set_fans(raw, {"mia_castillo": 800})
        building = db.with_name(f"{db.name}.building")
        deadline = time.monotonic() + REFRESH_TIMEOUT
        while not building.exists():
            assert time.monotonic() < deadline and serve.process.poll() is None
            time.sleep(0.02)
        serve.process.send_signal(signal.SIGTERM)
        assert serve.process.wait(timeout=60) == 0
    assert len(serve.refreshes()) == 1, serve.lines  # the interrupted refresh never finished
    assert serve.lines[-1].endswith("eros-volume serve: stopped")
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name, f"{db.name}.lock"]
    assert eros_volume.connect(db).all_volume_configs() == before


def test_a_reader_during_five_refreshes_sees_only_whole_builds(tmp_path: Path) -> None:
    """Refresh k publishes every creator's fans + k: a reader seeing two different k in one
    answer would have read a mix of two builds."""
    raw = write_sqlite(tmp_path / "eros.db")
    base = demo_fans(raw)
    db = tmp_path / "serving" / "eros_volume.duckdb"
    seen: set[int] = set()
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        store = eros_volume.connect(db)
        while not stop.is_set():
            try:
                rows = store.all_volume_configs()
            except Exception as exc:  # counted, never raised
                errors.append(repr(exc))
                continue
            offsets = {
                r["fan_count"] - base[r["creator_id"]] for r in rows if r["creator_id"] in base
            }
            if len(offsets) != 1:
                errors.append(f"a mix of builds: offsets {sorted(offsets)}")
            seen.update(offsets)
            time.sleep(0.01)

    with serving(db, raw) as serve:
        serve.wait_refreshes(1)
        reader = threading.Thread(target=read)
        reader.start()
        try:
            for k in range(1, 6):
                set_fans(raw, {creator: fans + k for creator, fans in base.items()})
                line = serve.wait_refreshes(k + 1)[k]
                assert REFRESHED.search(line), line
                time.sleep(0.3)  # the reader reads build k
        finally:
            stop.set()
            reader.join(timeout=30)
    assert errors == []
    assert seen == {0, 1, 2, 3, 4, 5}


SEED_PROBE = """
import json, subprocess, sys
from eros_volume.serve import Refresher
db, as_of, command = sys.argv[1], sys.argv[2], sys.argv[3:]
refresher = Refresher(db=db, as_of=as_of)
seen = []
for step in ("first", "second", "third", "after a raw build", "fifth"):
    if step == "after a raw build":
        subprocess.run(command, check=True)
    done = refresher.refresh()
    seen.append([step, refresher.seeds_loaded, done.creators])
print(json.dumps(seen))
"""


def test_serve_loads_seeds_only_when_the_file_it_starts_from_has_other_seeds(
    tmp_path: Path,
) -> None:
    """A refresh starting from a copy of a build file whose build_info has this project's
    seeds_fingerprint keeps its seeds (the demo raw tables, the tier bases) instead of loading
    them again; after a build from a raw database replaced the file (no demo tables in it), the
    next refresh loads them, and the configurations are the demo's again."""
    db = tmp_path / "eros_volume.duckdb"
    raw = write_sqlite(tmp_path / "eros.db")
    build = [EROS_VOLUME, "build", "--quiet", "--db", str(db), "--raw", str(raw)]
    done = subprocess.run(
        [sys.executable, "-c", SEED_PROBE, str(db), DEMO_AS_OF, *build, "--as-of", DEMO_AS_OF],
        capture_output=True, text=True, timeout=600, check=False,
        env={key: value for key, value in os.environ.items() if key != "EROS_RAW_DB"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        (creators,) = con.execute("select count(*) from stg_eros__creators").fetchone()
        (raw_source,) = con.execute("select raw_source from build_info").fetchone()
    assert raw_source == "demo"
    assert json.loads(done.stdout.splitlines()[-1]) == [
        ["first", True, creators],
        ["second", False, creators],
        ["third", False, creators],
        ["after a raw build", True, creators],
        ["fifth", False, creators],
    ]


def test_a_cold_build_over_a_file_with_the_same_seeds_loads_none(tmp_path: Path) -> None:
    """`eros-volume build` over its own previous file loads no seed and runs no seed test (the
    copy it starts from holds them) and publishes the same configurations."""
    db = tmp_path / "eros_volume.duckdb"
    command = [EROS_VOLUME, "build", "--verbose", "--db", str(db), "--as-of", DEMO_AS_OF]
    logs, configs = [], []
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
        logs.append(done.stdout + done.stderr)
        with duckdb.connect(str(db), read_only=True) as con:
            configs.append(con.execute("select * from volume_config order by all").fetchall())
    assert "seed file main_raw.mass_messages" in logs[0]
    assert "volume_tiers__column_checks" in logs[0]
    assert "seed file" not in logs[1] and "volume_tiers__column_checks" not in logs[1]
    assert repr(configs[0]) == repr(configs[1])


def test_a_build_file_without_the_seeds_fingerprint_column_has_none(
    demo_db: Path, tmp_path: Path
) -> None:
    """A build file of a version before seeds_fingerprint still carries its history forward; it
    records no seeds, so the build loads them (prepare_build adds no SKIP_SEEDS)."""
    db = tmp_path / "eros_volume.duckdb"
    shutil.copy(demo_db, db)
    problem, recorded = change_control.inspect_previous(db)
    assert problem is None and recorded == change_control.seeds_fingerprint(None)
    with duckdb.connect(str(db)) as con:
        con.execute("alter table build_info drop column seeds_fingerprint")
    assert change_control.inspect_previous(db) == (None, None)
    env, skip = change_control.prepare_build(db, tmp_path / "copy.duckdb", None)
    assert skip == [] and env[change_control.PREVIOUS_ENV] == str(db)
    assert (tmp_path / "copy.duckdb").stat().st_size == db.stat().st_size


def test_dbt_state_folder_is_one_per_build_file_and_raw_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    db, raw = tmp_path / "a.duckdb", tmp_path / "eros.db"
    first = dbt_state_dir(db, raw)
    assert first.is_dir() and first.parent == tmp_path / "cache" / "eros-volume" / "state"
    assert dbt_state_dir(db, raw) == first
    others = {dbt_state_dir(db, None), dbt_state_dir(tmp_path / "b.duckdb", raw)}
    assert first not in others and len(others) == 2
    for n in range(KEPT_STATE_DIRS + 2):
        dbt_state_dir(tmp_path / f"{n}.duckdb", None)
    assert first.exists()  # beyond the newest few, but used less than an hour ago
    idle = time.time() - STATE_IDLE_SECONDS - 60
    os.utime(first, (idle, idle))
    dbt_state_dir(tmp_path / "c.duckdb", None)
    assert not first.exists()
    assert len(list(first.parent.iterdir())) == 2 + (KEPT_STATE_DIRS + 2) + 1  # all but first


def test_a_state_folder_another_build_removes_meanwhile_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two builds of different files prune the state folders at once: a folder listed by one and
    removed by the other before its age is read is skipped (it raised FileNotFoundError)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = dbt_state_dir(tmp_path / "a.duckdb", None)
    gone = kept.parent / "removed-by-another-build"
    listing = Path.iterdir
    monkeypatch.setattr(Path, "iterdir", lambda self: [*listing(self), gone])
    assert dbt_state_dir(tmp_path / "b.duckdb", None).is_dir()
    assert kept.is_dir()


def test_a_cold_build_with_a_new_as_of_keeps_dbts_saved_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--as-of reaches dbt through the environment, so the second build skips dbt's parse (its
    saved parse is not rewritten) and still computes as of its own --as-of."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    raw = write_sqlite(tmp_path / "eros.db")
    db = tmp_path / "eros_volume.duckdb"
    saved = dbt_state_dir(db, raw) / "partial_parse.msgpack"
    eros_volume.build(db=db, raw=raw, as_of=DEMO_AS_OF, echo=False)
    parsed_at = saved.stat().st_mtime_ns
    eros_volume.build(db=db, raw=raw, as_of="2025-12-15 12:00:00", echo=False)
    assert saved.stat().st_mtime_ns == parsed_at
    assert eros_volume.connect(db).get_volume_config("bella_quinn")["tracking_date"] == "2025-12-15"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cache",
        "eros.db",
        "eros_volume.duckdb",
        "eros_volume.duckdb.lock",
    ]

"""`eros-volume generate`: a raw database the build reads, and its bad-input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from eros_volume.build import build

AS_OF = "2025-12-16 12:00:00"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "eros_volume.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_generate_then_build_configures_every_generated_creator(tmp_path: Path) -> None:
    raw = tmp_path / "raw.db"
    done = run(
        "generate", "--creators", "60", "--days", "30", "--messages-per-creator-per-day", "3",
        "--out", str(raw), "--as-of", AS_OF, "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    assert counts["creators"] == 60
    assert 60 * 30 * 3 * 0.9 < counts["mass_messages"] < 60 * 30 * 3 * 1.1
    db = build(db=tmp_path / "b.duckdb", raw=raw, as_of=AS_OF, echo=False)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select data_source, count(*) from volume_config group by 1").fetchall()
    by_source = dict(rows)
    assert sum(by_source.values()) == 60
    assert by_source.get("calculated_on_demand", 0) > 0
    assert by_source.get("volume_performance_tracking", 0) > 0


def test_generate_refuses_to_overwrite_and_bad_sizes(tmp_path: Path) -> None:
    raw = tmp_path / "raw.db"
    raw.write_text("keep me")
    args = ["--days", "2", "--messages-per-creator-per-day", "1", "--out", str(raw)]
    done = run("generate", "--creators", "5", *args)
    assert done.returncode == 2
    assert done.stderr.strip() == f"eros-volume: error: {raw} exists; use --force to replace it"
    assert raw.read_text() == "keep me"
    done = run("generate", "--creators", "0", *args, "--force")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1

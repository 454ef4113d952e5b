"""Retiring volume_assignments: nothing upstream of volume_config reads it (the dbt graph), the
audit mart compares every active legacy row with the dynamic result, and `eros-volume audit`
prints the counts and the disagreeing creators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import demo_rows, write_sqlite

from eros_volume.audit import audit
from eros_volume.cli import main
from eros_volume.paths import project_dir
from eros_volume.store import fetch_dicts, read_connection

DBT = Path(sys.executable).with_name("dbt")


def dbt_ls(select: str, raw: Path | None = None) -> list[dict[str, Any]]:
    """Nodes of `dbt ls --select <select>` (models, seeds, sources) as dicts."""
    root = project_dir()
    env = dict(os.environ, EROS_RAW_DB=str(raw) if raw else "", DBT_SEND_ANONYMOUS_USAGE_STATS="0")
    done = subprocess.run(
        [
            str(DBT),
            "ls",
            "--select",
            select,
            "--resource-type",
            "model",
            "seed",
            "source",
            "--output",
            "json",
            "--output-keys",
            "unique_id",
            "name",
            "resource_type",
            "--project-dir",
            str(root),
            "--profiles-dir",
            str(root),
            "--quiet",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def raw_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sqlite(tmp_path_factory.mktemp("audit_raw") / "raw.db")


@pytest.mark.parametrize("mode", ["demo", "raw"])
def test_nothing_upstream_of_volume_config_reads_volume_assignments(
    mode: str, raw_sqlite: Path
) -> None:
    raw = raw_sqlite if mode == "raw" else None
    upstream = dbt_ls("+volume_config", raw)
    names = {node["unique_id"] for node in upstream}
    assert "model.eros_volume.volume_config" in names
    assert any(node["resource_type"] in ("seed", "source") for node in upstream)
    assert not [n for n in names if "volume_assignments" in n], sorted(names)

    # The test can fail: the legacy table is in the graph, and the audit reads it.
    legacy = "source:eros.volume_assignments" if raw else "volume_assignments"
    downstream = {node["unique_id"] for node in dbt_ls(f"{legacy}+", raw)}
    assert "model.eros_volume.volume_assignment_audit" in downstream
    assert "model.eros_volume.stg_eros__volume_assignments" in downstream
    assert "model.eros_volume.volume_config" not in downstream


def test_the_audit_mart_compares_every_active_legacy_row(demo_db: Path) -> None:
    """Checked against the legacy CSV and volume_config, independently of the mart's SQL."""
    with read_connection(demo_db) as con:
        marts = {
            r["assignment_id"]: r for r in fetch_dicts(con, "select * from volume_assignment_audit")
        }
        dynamic = {r["creator_id"]: r for r in fetch_dicts(con, "select * from volume_config")}
    active = [row for row in demo_rows("volume_assignments") if row["is_active"] == "1"]
    assert sorted(map(str, marts)) == sorted(row["assignment_id"] for row in active)
    for row in active:
        audited = {str(k): v for k, v in marts.items()}[row["assignment_id"]]
        now = dynamic.get(row["creator_id"])
        level = now is None or row["volume_level"].lower() != now["volume_level"].lower()
        ppv = now is None or int(row["ppv_per_day"]) != now["ppv_per_day"]
        bump = now is None or int(row["bump_per_day"]) != now["bump_per_day"]
        assert (audited["level_differs"], audited["ppv_differs"], audited["bump_differs"]) == (
            level,
            ppv,
            bump,
        ), row["creator_id"]
        assert audited["any_differs"] == (level or ppv or bump)
        if now is not None:
            assert audited["dynamic_volume_level"] == now["volume_level"]
            assert audited["dynamic_ppv_per_day"] == now["ppv_per_day"]


def test_audit_counts_and_lists_the_disagreeing_creators(demo_db: Path) -> None:
    result = audit(demo_db)
    with read_connection(demo_db) as con:
        rows = fetch_dicts(con, "select * from volume_assignment_audit")
    counts = result["counts"]
    assert counts["active_assignments"] == len(rows) == 34
    assert counts["disagreeing"] == sum(r["any_differs"] for r in rows) > 0
    assert counts["volume_level_differs"] == sum(r["level_differs"] for r in rows)
    assert counts["ppv_per_day_differs"] == sum(r["ppv_differs"] for r in rows)
    assert counts["bump_per_day_differs"] == sum(r["bump_differs"] for r in rows)
    assert counts["per_day_differs"] == sum(r["ppv_differs"] or r["bump_differs"] for r in rows)
    listed = {r["creator_id"] for r in result["disagreeing"]}
    assert listed == {r["creator_id"] for r in rows if r["any_differs"]}
    grace = next(r for r in result["disagreeing"] if r["creator_id"] == "grace_bennett")
    assert grace["legacy_volume_level"] == "Low" and grace["dynamic_volume_level"] == "High"
    assert "volume_level" in grace["differs"]


def test_audit_command(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--db", str(demo_db), "--json"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert as_json == audit(demo_db)
    assert main(["audit", "--db", str(demo_db)]) == 0
    text = capsys.readouterr().out
    counts = as_json["counts"]
    assert f"disagree with the dynamic result (volume_config): {counts['disagreeing']}" in text
    assert f"by volume_level: {counts['volume_level_differs']}" in text
    for row in as_json["disagreeing"]:
        assert row["creator_id"] in text


def test_audit_without_a_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("eros_volume.store.RETRY_SECONDS", 0.1)
    assert main(["audit", "--db", str(tmp_path / "none.duckdb")]) != 0
    err = capsys.readouterr().err
    assert err.startswith("eros-volume: error: ") and "Traceback" not in err

"""The monitoring dashboard: each chart's data (its Vega-Lite spec) against the marts, the top-N
lists, the as_of and data age, the changes panel without a history, the output path check, a page
that loads nothing from elsewhere, and a render in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_TABLES, demo_rows, write_sqlite

from eros_volume.build import build
from eros_volume.change_demo import STEPS, run_demo
from eros_volume.cli import main
from eros_volume.dashboard import (
    age_chart,
    band_matrix_chart,
    bands_by_effect,
    changes_chart,
    flags_chart,
    gather,
    history_chart,
    level_source_chart,
    number,
    render,
    score_histogram_chart,
    write_dashboard,
)
from eros_volume.store import fetch_dicts, read_connection


@pytest.fixture(scope="module")
def data(demo_db: Path) -> dict[str, Any]:
    return gather(demo_db)


def mart(db: Path, sql: str) -> list[dict[str, Any]]:
    with read_connection(db) as con:
        return fetch_dicts(con, sql)


def values(spec: dict[str, Any], layer: int | None = None) -> list[dict[str, Any]]:
    """The inline data of a chart (or of one of its layers)."""
    part = spec if layer is None else spec["layer"][layer]
    return part["data"]["values"]


def test_creators_per_level_and_source(data: dict[str, Any], demo_db: Path) -> None:
    spec = level_source_chart(data)
    monitor = mart(demo_db, "select volume_level, data_source, is_active from volume_score_monitor")
    charted = {(r["volume_level"], r["data_source"]): r["creators"] for r in values(spec)}
    assert charted == dict(Counter((r["volume_level"], r["data_source"]) for r in monitor))
    assert sum(charted.values()) == 52
    assert spec["encoding"]["y"]["sort"] == ["Ultra", "High", "Mid", "Low"]
    active = Counter(r["volume_level"] for r in monitor if r["is_active"])
    assert {
        lvl: sum(r["active"] for r in values(spec) if r["volume_level"] == lvl) for lvl in (active)
    } == {"Ultra": 6, "High": 10, "Mid": 15, "Low": 18}


def test_band_matrix(data: dict[str, Any]) -> None:
    spec = band_matrix_chart(data)
    cells = {(r["saturation"], r["opportunity"]): r["creators"] for r in spec["data"]["values"]}
    assert cells == {
        ("high (x0.7)", "none (x1)"): 5,
        ("medium (x0.9)", "none (x1)"): 34,
        ("low (x1)", "none (x1)"): 6,
        ("low (x1)", "medium (x1.1)"): 4,
        ("low (x1)", "high (x1.2)"): 3,
    }
    # Ordered by the multiplier each band sets: no volume cut first, the biggest boost on top.
    assert bands_by_effect(data, "saturation") == ["low", "medium", "high"]
    assert bands_by_effect(data, "opportunity") == ["none", "medium", "high"]
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["low (x1)", "medium (x0.9)", "high (x0.7)"]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [
        "high (x1.2)",
        "medium (x1.1)",
        "none (x1)",
    ]


@pytest.mark.parametrize("score", ["saturation", "opportunity"])
def test_score_histograms(data: dict[str, Any], demo_db: Path, score: str) -> None:
    spec = score_histogram_chart(data, score)
    configs = [
        (r["value"], r["band"])
        for r in mart(
            demo_db, f"select {score}_score as value, {score}_band as band from volume_config"
        )
        if r["value"] is not None
    ]
    # 20 bins of 5 points from 0 to 100; 100 falls in the last one.
    expected = Counter((min(int(value // 5), 19), band) for value, band in configs)
    bars = values(spec, 0)
    assert {(r["bin"], r["band"]): r["creators"] for r in bars} == dict(expected)
    assert all(r["bin_end"] - r["bin_start"] == 5 for r in bars)
    assert sum(r["creators"] for r in bars) == len(configs) == 52
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == bands_by_effect(data, score)
    rules = {r["threshold"]: r["value"] for r in values(spec, 1)}
    assert (
        rules
        == {
            "saturation": {"saturation_high_above": 70, "saturation_medium_from": 50},
            "opportunity": {
                "opportunity_high_above": 70,
                "opportunity_medium_from": 60,
                "opportunity_medium_to": 70,
            },
        }[score]
    )


def test_thresholds_come_from_the_build(data: dict[str, Any]) -> None:
    changed = {**data, "thresholds": {**data["thresholds"], "saturation_high_above": 80.0}}
    rules = {
        r["threshold"]: r["value"] for r in values(score_histogram_chart(changed, "saturation"), 1)
    }
    assert rules["saturation_high_above"] == 80
    limit = values(
        age_chart({**data, "thresholds": {**data["thresholds"], "tracking_max_age_days": 3}}), 1
    )
    assert limit == [{"threshold": "tracking_max_age_days", "value": 3}]


def test_age_of_the_newest_tracking_row(data: dict[str, Any], demo_db: Path) -> None:
    history = mart(demo_db, "select * from volume_score_history")
    newest: dict[str, int | None] = {}
    used: set[str] = set()
    recent: set[str] = set()
    for row in history:
        creator = row["creator_id"]
        newest.setdefault(creator, None)
        if not row["is_in_future"]:
            age = row["tracking_age_days"]
            newest[creator] = age if newest[creator] is None else min(age, newest[creator])
        if row["is_used_by_config"]:
            used.add(creator)
        if row["is_within_max_age"]:
            recent.add(creator)

    def status(creator: str) -> str:
        if creator in used:
            return "used"
        if newest[creator] is None:
            return "only rows after as_of"
        return "not used" if creator in recent else "too old"

    expected = Counter((newest[c], status(c)) for c in newest)
    spec = age_chart(data)
    charted = {(r["tracking_age_days"], r["status"]): r["creators"] for r in values(spec, 0)}
    assert charted == dict(expected)
    assert status("grace_bennett") == "used"
    assert status("malformed_stale_tracking") == "too old"
    assert status("malformed_future_tracking") == "only rows after as_of"
    assert values(spec, 1) == [{"threshold": "tracking_max_age_days", "value": 14}]


def test_score_history_per_day(data: dict[str, Any], demo_db: Path) -> None:
    history = mart(demo_db, "select * from volume_score_history")
    spec = history_chart(data)
    counts = {r["tracking_date"]: r["creators"] for r in spec["vconcat"][1]["data"]["values"]}
    assert counts == dict(Counter(r["tracking_date"] for r in history))
    medians = {(r["tracking_date"], r["score"]): r["median"] for r in values(spec["vconcat"][0])}
    for day in counts:
        rows = [r for r in history if r["tracking_date"] == day]
        for score in ("saturation", "opportunity"):
            present = [r[f"{score}_score"] for r in rows if r[f"{score}_score"] is not None]
            assert medians[(day, score)] == (statistics.median(present) if present else None)


def test_flags(data: dict[str, Any], demo_db: Path) -> None:
    rows = mart(demo_db, "select data_quality_flags from volume_config")
    expected = Counter(flag for row in rows for flag in row["data_quality_flags"])
    charted = {r["flag"]: r["creators"] for r in values(flags_chart(data))}
    assert charted == dict(expected)
    assert charted["saturation_clamped"] == 2 and charted["tracking_in_future"] == 1


def test_top_lists(data: dict[str, Any], demo_db: Path) -> None:
    monitor = mart(demo_db, "select * from volume_score_monitor")
    top = data["top"]
    over = [r["creator_id"] for r in top["over_saturated"]]
    assert set(over) == {r["creator_id"] for r in monitor if r["is_over_saturated"]}
    assert over[:2] == ["hannah_brooks", "malformed_saturation_130"]  # 100, then by id
    assert "mia_castillo" in over
    opportunity = {r["creator_id"] for r in top["opportunity"]}
    assert opportunity == {r["creator_id"] for r in monitor if r["has_opportunity_boost"]}
    flagged = {r["creator_id"] for r in top["flagged"]}
    assert flagged == {r["creator_id"] for r in monitor if r["data_quality_flags"]}
    assert data["summary"] == {
        "creators": 52,
        "active": 49,
        "over_saturated": 5,
        "high_opportunity": 3,
        "opportunity_boost": 7,
        "flagged": 10,
    }


def test_lists_stay_bounded(demo_db: Path) -> None:
    small = gather(demo_db, top_n=2)
    assert [r["creator_id"] for r in small["top"]["over_saturated"]] == [
        "hannah_brooks",
        "malformed_saturation_130",
    ]
    assert all(len(rows) == 2 for rows in small["top"].values())
    assert len(small["audit_rows"]) == 2
    assert small["summary"]["over_saturated"] == 5  # the count is still of every creator


def test_as_of_and_data_age(data: dict[str, Any]) -> None:
    assert data["freshness"] == {
        "as_of": "2025-12-16 12:00:00",
        "newest_message_at": "2025-12-16 12:00:00",
        "newest_tracking_date": "2025-12-16",
        "message_age_days": 0,
        "tracking_age_days": 0,
        "stale_data_days": 3,
        "messages_stale": False,
        "tracking_stale": False,
    }
    assert data["rejected"] == []
    html = render(data)
    assert "as of <b>2025-12-16 12:00:00</b>" in html
    assert "<b>2025-12-16</b>, 0 days before as_of" in html
    assert "stale:" not in html


@pytest.fixture(scope="module")
def stale_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built two months after its data, with one message of a negative sent_count."""
    folder = tmp_path_factory.mktemp("stale")
    tables = {name: demo_rows(name) for name in DEMO_TABLES}
    bad = {**tables["mass_messages"][0], "message_id": "990001", "sent_count": "-5"}
    bad["sending_time"] = "2026-02-10 09:00:00"
    tables["mass_messages"].append(bad)
    raw = write_sqlite(folder / "raw.db", tables)
    return build(db=folder / "eros_volume.duckdb", raw=raw, as_of=STALE_AS_OF, echo=False)


STALE_AS_OF = "2026-02-15 12:00:00"


def test_stale_data_and_rejected_rows(stale_db: Path) -> None:
    data = gather(stale_db)
    freshness = data["freshness"]
    assert freshness["as_of"] == STALE_AS_OF
    # No usable message in the windows the build reads; the demo's newest 14d row is dated
    # 2025-12-20 (a row after the demo's as_of), 57 days before this as_of.
    assert freshness == {
        "as_of": STALE_AS_OF,
        "newest_message_at": None,
        "newest_tracking_date": "2025-12-20",
        "message_age_days": None,
        "tracking_age_days": 57,
        "stale_data_days": 3,
        "messages_stale": True,
        "tracking_stale": True,
    }
    issues = mart(stale_db, "select * from data_quality_issues")
    assert [(r["table_name"], r["row_key"], r["creator_id"]) for r in issues] == [
        ("mass_messages", "990001", "stella_park")
    ]
    assert data["rejected"] == [
        {
            "table_name": "mass_messages",
            "reason": "negative sent_count",
            "raw_rows": 1,
            "creators": 1,
        }
    ]
    html = render(data)
    assert "<b>none</b> in the windows this build reads" in html
    assert "<b>2025-12-20</b>, 57 days before as_of" in html
    assert html.count("stale: older than 3 days") == 2


def test_changes_without_a_previous_publication(data: dict[str, Any]) -> None:
    changes = data["changes"]
    assert changes["previous_publications"] == 0
    assert changes["counts"] == {"changed": 0, "new": 52}  # the first publication: all new
    assert changes["by_field_level"] == changes["biggest"] == []
    assert values(changes_chart(data)) == []
    assert "No previous publication" in render(data)


@pytest.fixture(scope="module")
def republished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The change-control demo's first two publications, fan counts drifting between them."""
    return run_demo(tmp_path_factory.mktemp("changes"), steps=STEPS[:2])


def test_changes_since_the_previous_publication(republished: Path) -> None:
    data = gather(republished, top_n=3)
    with read_connection(republished) as con:
        rows = fetch_dicts(
            con,
            "select * from volume_config_changes where as_of = ?::timestamp",
            [STEPS[1][0]],
        )
    changes = data["changes"]
    assert changes["previous_publications"] == 1
    kinds = Counter(r["change_type"] for r in rows)
    assert changes["counts"] == {"changed": kinds["changed"], "new": kinds["new"]}
    assert kinds["changed"] > 3
    fields = Counter((f, r["new_volume_level"]) for r in rows for f in r["changed_fields"])
    charted = {(r["field"], r["volume_level"]): r["creators"] for r in values(changes_chart(data))}
    assert charted == dict(fields)

    def moved(row: dict[str, Any]) -> int:
        return sum(
            abs(row[f"new_{item}_items_per_day"] - row[f"old_{item}_items_per_day"])
            for item in ("revenue", "engagement", "retention")
        )

    changed = sorted(
        (r for r in rows if r["change_type"] == "changed"),
        key=lambda r: (-moved(r), r["creator_id"]),
    )
    assert [(r["creator_id"], r["reason"]) for r in changes["biggest"]] == [
        (r["creator_id"], r["reason"]) for r in changed[:3]
    ]
    assert "No previous publication" not in render(data)


def test_numbers() -> None:
    assert [number(70.0), number(82.5), number(12345, 0), number(0.125, 2), number(None)] == [
        "70",
        "82.5",
        "12,345",
        "0.12",
        "-",
    ]


def test_the_page_is_self_contained(data: dict[str, Any]) -> None:
    html = render(data)
    assert not re.search(r"https?:", html)
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", html, re.IGNORECASE)
    assert "url(" not in html and "@import" not in html
    assert html.count("<svg") == 7  # the changes chart only with a history


def test_a_missing_out_folder_is_not_created(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing" / "board.html"
    with pytest.raises(FileNotFoundError):
        write_dashboard(demo_db, missing)
    assert main(["dashboard", "--db", str(demo_db), "--out", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"eros-volume: error: no such directory: {missing.parent}"
    )
    assert not missing.parent.exists()


def test_dashboard_command(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "board.html"
    assert main(["dashboard", "--db", str(demo_db), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"
)
def test_it_renders_in_headless_chromium(demo_db: Path, tmp_path: Path) -> None:
    assert CHROMIUM, "CI installs Debian's chromium (.ci/run)"
    page = write_dashboard(demo_db, tmp_path / "dashboard.html")
    shot = tmp_path / "dashboard.png"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1400,2600",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000

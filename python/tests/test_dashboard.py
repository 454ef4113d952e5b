"""The monitoring dashboard: one self-contained HTML file drawn from the marts. The figures are
read back from the HTML (data-* attributes) and compared with the marts; the rule lines follow the
build's thresholds; nothing is fetched from elsewhere; and it renders in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from eros_volume.cli import main
from eros_volume.dashboard import gather, render, write_dashboard
from eros_volume.store import fetch_dicts, read_connection


class Elements(HTMLParser):
    """Every start tag with its attributes and the text directly inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, **{k: v for k, v in attrs}, "text": ""}
        self.elements.append(element)
        if tag not in ("circle", "line", "rect", "polyline", "meta"):
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append({"tag": tag, **{k: v for k, v in attrs}, "text": ""})

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1]["text"] += data

    def having(self, **attrs: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.elements
            if all(e.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def with_attr(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if name in e]


@pytest.fixture(scope="module")
def page(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("dashboard") / "dashboard.html"
    assert write_dashboard(demo_db, out) == out
    html = out.read_text(encoding="utf-8")
    parsed = Elements()
    parsed.feed(html)
    return {"path": out, "html": html, "elements": parsed}


def mart(db: Path, sql: str) -> list[dict[str, Any]]:
    with read_connection(db) as con:
        return fetch_dicts(con, sql)


def test_counts_per_tier_and_source_equal_the_mart(page: dict[str, Any], demo_db: Path) -> None:
    elements: Elements = page["elements"]
    cells = {
        (e["data-tier"], e["data-source"]): int(e["text"])
        for e in elements.with_attr("data-source")
        if e["tag"] == "td"
    }
    monitor = mart(demo_db, "select volume_level, data_source, is_active from volume_score_monitor")
    by_both = Counter((r["volume_level"], r["data_source"]) for r in monitor)
    by_tier = Counter(r["volume_level"] for r in monitor)
    by_source = Counter(r["data_source"] for r in monitor)
    tiers = {tier for tier, _ in cells if tier != "all"}
    sources = {source for _, source in cells if source != "all"}
    assert tiers == {"Ultra", "High", "Mid", "Low"}
    assert sources == {"volume_performance_tracking", "calculated_on_demand", "default_values"}
    for tier in tiers:
        assert cells[(tier, "all")] == by_tier[tier]
        for source in sources:
            assert cells[(tier, source)] == by_both[(tier, source)], (tier, source)
    for source in sources:
        assert cells[("all", source)] == by_source[source]
    assert cells[("all", "all")] == len(monitor) == 52
    # The demo's active creators: Ultra 5, High 7, Mid 11, Low 14, plus the malformed ones.
    active = {e["data-tier"]: int(e["text"]) for e in elements.having(data_active="true")}
    assert active == dict(Counter(r["volume_level"] for r in monitor if r["is_active"])) | {
        "all": sum(r["is_active"] for r in monitor)
    }


def test_every_flagged_creator_is_listed(page: dict[str, Any], demo_db: Path) -> None:
    elements: Elements = page["elements"]
    monitor = mart(demo_db, "select * from volume_score_monitor")
    for key, flag in (
        ("over-saturated", "is_over_saturated"),
        ("high-opportunity", "is_high_opportunity"),
    ):
        listed = {e["data-creator"] for e in elements.having(data_list=key)}
        expected = {r["creator_id"] for r in monitor if r[flag]}
        assert listed == expected, key
        assert expected, key
        assert tile_value(page["html"], key) == len(expected)
    assert {"hannah_brooks", "mia_castillo"} <= {
        e["data-creator"] for e in elements.having(data_list="over-saturated")
    }
    # Every creator is a point of the scatter.
    points = [e for e in elements.with_attr("data-creator") if e["tag"] == "circle"]
    assert sorted(e["data-creator"] for e in points) == sorted(r["creator_id"] for r in monitor)


def tile_value(html: str, key: str) -> int:
    found = re.search(rf'data-tile="{key}"><div class="tile-n">(\d+)<', html)
    assert found, key
    return int(found.group(1))


def test_history_and_age_cover_every_tracked_creator(page: dict[str, Any], demo_db: Path) -> None:
    elements: Elements = page["elements"]
    history = mart(demo_db, "select * from volume_score_history")
    creators = {r["creator_id"] for r in history}
    assert creators
    assert {e["data-history-creator"] for e in elements.with_attr("data-history-creator")} == (
        creators
    )
    ages = {e["data-age-creator"]: e for e in elements.with_attr("data-age-creator")}
    assert set(ages) == creators
    newest: dict[str, int] = {}  # the age of each creator's newest row up to as_of
    for row in history:
        if not row["is_in_future"]:
            age = row["tracking_age_days"]
            newest[row["creator_id"]] = min(age, newest.get(row["creator_id"], age))
    for creator, age in newest.items():
        assert ages[creator]["data-age-days"] == str(age)
    assert ages["grace_bennett"]["data-status"] == "used"
    assert ages["malformed_stale_tracking"]["data-status"] == "too old"
    assert ages["malformed_future_tracking"]["data-status"] == "future only"


def test_legacy_disagreements_are_listed(page: dict[str, Any], demo_db: Path) -> None:
    elements: Elements = page["elements"]
    audit = mart(demo_db, "select * from volume_assignment_audit")
    listed = {e["data-creator"] for e in elements.having(data_list="legacy-disagreement")}
    assert listed == {r["creator_id"] for r in audit if r["any_differs"]}
    assert f'data-count="disagreeing"><b>{len(listed)}</b>' in page["html"]
    assert tile_value(page["html"], "legacy-disagreement") == len(listed)


def test_thresholds_come_from_the_build(page: dict[str, Any], demo_db: Path) -> None:
    html = page["html"]
    thresholds = {
        r["threshold_name"]: r["threshold_value"]
        for r in mart(demo_db, "select * from volume_rule_thresholds")
    }
    assert thresholds["saturation_high_above"] == 70
    assert "saturation &gt; 70: x0.7" in html
    for name in ("saturation_high_above", "saturation_medium_from", "opportunity_high_above"):
        assert f'data-threshold="{name}"' in html
    # The drawing follows the values it is given: Python holds no threshold of its own.
    data = gather(demo_db)
    data["thresholds"] = {**data["thresholds"], "saturation_high_above": 80.0}
    changed = render(data)
    assert "saturation &gt; 80: x0.7" in changed and "saturation &gt; 70:" not in changed


def test_the_page_is_self_contained(page: dict[str, Any]) -> None:
    html = page["html"]
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", html, re.IGNORECASE)
    assert "url(" not in html and "@import" not in html
    assert html.count("<svg") >= 4


def test_dashboard_command(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "board.html"
    assert main(["dashboard", "--db", str(demo_db), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_it_renders_in_headless_chromium(page: dict[str, Any], tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    done = subprocess.run(
        [
            str(CHROMIUM),
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
            page["path"].as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000

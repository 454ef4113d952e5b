"""volume_config against an independent Python oracle of SPEC.md (python/tests/oracle.py).

The oracle is written from the SPEC alone; these tests compare it with the dbt build field by
field, on the bundled demo, on the demo at another as_of, and on small synthetic raw tables that sit
exactly on the score thresholds.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from conftest import DEMO_AS_OF, DEMO_TABLES, demo_rows, write_sqlite
from oracle import FIELDS, expected_configs, on_demand_scores, round_half_up

from eros_volume.build import build

FLOAT_FIELDS = {
    "saturation_score",
    "opportunity_score",
    "revenue_trend",
    "saturation_multiplier",
    "opportunity_multiplier",
    "volume_multiplier",
}


def read_volume_config(db: Path) -> dict[str, list[dict]]:
    """volume_config rows by creator_id (a list, so duplicates show up)."""
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute("select * from volume_config")
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    by_creator: dict[str, list[dict]] = {}
    for row in rows:
        by_creator.setdefault(row["creator_id"], []).append(row)
    return by_creator


def normalised(row: dict) -> dict:
    """The oracle's fields of one volume_config row, in the oracle's representation."""
    out = {field: row[field] for field in FIELDS}
    tracked = out["tracking_date"]
    out["tracking_date"] = tracked.isoformat() if isinstance(tracked, date) else tracked
    out["data_quality_flags"] = list(out["data_quality_flags"] or [])
    return out


def mismatches(actual: dict[str, list[dict]], expected: dict[str, dict]) -> list[str]:
    problems = []
    for creator_id, want in sorted(expected.items()):
        rows = actual.get(creator_id, [])
        if len(rows) != 1:
            problems.append(f"{creator_id}: {len(rows)} rows in volume_config")
            continue
        got = normalised(rows[0])
        for field in FIELDS:
            ok = (
                got[field] == pytest.approx(want[field], abs=1e-9)
                if field in FLOAT_FIELDS and got[field] is not None
                else got[field] == want[field]
            )
            if not ok:
                problems.append(f"{creator_id}.{field}: sql {got[field]!r}, oracle {want[field]!r}")
    for creator_id in sorted(set(actual) - set(expected)):
        problems.append(f"{creator_id}: in volume_config but not in creators")
    return problems


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, list[dict]]:
    return {name: demo_rows(name) for name in DEMO_TABLES}


@pytest.fixture(scope="module")
def demo_expected(demo_tables) -> dict[str, dict]:
    return expected_configs(demo_tables, datetime.fromisoformat(DEMO_AS_OF))


@pytest.fixture(scope="module")
def demo_actual(demo_db) -> dict[str, list[dict]]:
    return read_volume_config(demo_db)


# --- (1) every demo creator, every field -------------------------------------------------------


def test_demo_matches_oracle_for_every_creator(demo_actual, demo_expected):
    assert len(demo_expected) == 52
    assert mismatches(demo_actual, demo_expected) == []


# --- (2) hand-checked cases, literal expectations from the SPEC ----------------------------------


def test_grace_bennett_headline_case(demo_actual, demo_expected):
    want = {
        "volume_level": "High",
        "fan_count": 12434,
        "page_type": "paid",
        "is_active": True,
        "revenue_items_per_day": 4,
        "engagement_items_per_day": 3,
        "retention_items_per_day": 2,
        "ppv_per_day": 4,
        "bump_per_day": 3,
        "bundle_per_week": 3,
        "game_per_week": 2,
        "followup_per_day": 4,
        "saturation_score": 45.0,
        "opportunity_score": 65.0,
        "revenue_trend": 0.0,
        "saturation_multiplier": 1.0,
        "opportunity_multiplier": 1.0,
        "volume_multiplier": 1.0,
        "data_source": "volume_performance_tracking",
        "tracking_date": "2025-12-15",
        "data_quality_flags": [],
    }
    got = normalised(demo_actual["grace_bennett"][0])
    assert {k: got[k] for k in want} == want
    assert {k: demo_expected["grace_bennett"][k] for k in want} == want


@pytest.mark.parametrize(
    ("creator_id", "page_type", "retention"),
    [("lily_monroe", "paid", 3), ("scarlett_vance", "free", 0)],
)
def test_ultra_without_data(demo_actual, demo_expected, creator_id, page_type, retention):
    # 50.0 is medium saturation: x0.9. Revenue 6 x 0.9 = 5.4 -> 5, engagement 4 x 0.9 = 3.6 -> 4,
    # retention 3 x 0.9 = 2.7 -> 3 (0 on a free page).
    want = {
        "volume_level": "Ultra",
        "page_type": page_type,
        "revenue_items_per_day": 5,
        "engagement_items_per_day": 4,
        "retention_items_per_day": retention,
        "bundle_per_week": 4,
        "game_per_week": 3,
        "followup_per_day": 5,
        "saturation_score": 50.0,
        "opportunity_score": 50.0,
        "revenue_trend": 0.0,
        "saturation_multiplier": 0.9,
        "opportunity_multiplier": 1.0,
        "volume_multiplier": 0.9,
        "data_source": "default_values",
        "tracking_date": None,
        "data_quality_flags": [],
    }
    got = normalised(demo_actual[creator_id][0])
    assert got["data_quality_flags"] == demo_expected[creator_id]["data_quality_flags"] == []
    want_scalars = {k: v for k, v in want.items() if k != "data_quality_flags"}
    assert {k: got[k] for k in want_scalars} == pytest.approx(want_scalars)
    assert {k: demo_expected[creator_id][k] for k in want_scalars} == pytest.approx(want_scalars)


def test_oracle_half_up_rounding():
    assert round_half_up(Fraction(5) * Fraction("0.9")) == 5  # 4.5 -> 5, not banker's 4
    assert round_half_up(Fraction("2.45")) == 2
    assert round_half_up(Fraction("2.5")) == 3
    assert round_half_up(Fraction(6) * Fraction("0.9")) == 5


# --- (3) coverage of the demo ---------------------------------------------------------------------


def test_demo_covers_sources_and_tier_counts(demo_actual):
    rows = [row for rows in demo_actual.values() for row in rows]
    assert {row["data_source"] for row in rows} == {
        "volume_performance_tracking",
        "calculated_on_demand",
        "default_values",
    }
    clean = [
        row for row in rows if row["is_active"] and not row["creator_id"].startswith("malformed_")
    ]
    assert Counter(row["volume_level"] for row in clean) == {
        "Ultra": 5,
        "High": 7,
        "Mid": 11,
        "Low": 14,
    }
    assert len(clean) == 37


# --- (4) one row per creator ----------------------------------------------------------------------


def test_every_creator_exactly_once(demo_actual, demo_tables):
    creator_ids = [row["creator_id"] for row in demo_tables["creators"]]
    assert len(creator_ids) == len(set(creator_ids))
    assert sorted(demo_actual) == sorted(creator_ids)
    assert all(len(rows) == 1 for rows in demo_actual.values())


# --- (5) synthetic tables on the thresholds, against a real build ---------------------------------

SYN_AS_OF = datetime(2025, 6, 15, 12, 0, 0)
SYN_TODAY = SYN_AS_OF.date()


class Synthetic:
    """Builds raw tables (all values as strings, like the CSVs) one creator at a time."""

    def __init__(self) -> None:
        self.creators: list[dict] = []
        self.messages: list[dict] = []
        self.tracking: list[dict] = []

    def creator(self, creator_id, fans="8000", page_type="paid", is_active="1") -> str:
        self.creators.append(
            {
                "creator_id": creator_id,
                "page_name": creator_id.replace("_", ""),
                "display_name": creator_id,
                "page_type": page_type,
                "is_active": is_active,
                "current_active_fans": fans,
                "current_total_earnings": str(1000 + len(self.creators)),
            }
        )
        return creator_id

    def message(
        self, creator_id, at, sent=1000, viewed=400, purchased=30, earnings=2000.0, kind="ppv"
    ):
        self.messages.append(
            {
                "message_id": str(1 + len(self.messages)),
                "creator_id": creator_id,
                "sending_time": at.strftime("%Y-%m-%d %H:%M:%S"),
                "message_type": kind,
                "sent_count": None if sent is None else str(sent),
                "viewed_count": str(viewed),
                "purchased_count": str(purchased),
                "earnings": str(earnings),
            }
        )

    def window(self, creator_id, which, specs):
        """``specs``: dicts of message fields, placed inside the current or previous window."""
        start = SYN_AS_OF - timedelta(days=1 if which == "cur" else 15)
        for i, spec in enumerate(specs):
            self.message(creator_id, start - timedelta(hours=3 * i), **spec)

    def both(self, creator_id, prev, cur, n_prev=5, n_cur=5):
        self.window(creator_id, "prev", [prev] * n_prev)
        self.window(creator_id, "cur", [cur] * n_cur)

    def track(self, creator_id, days_ago, saturation, opportunity, trend="0", period="14d"):
        self.tracking.append(
            {
                "creator_id": creator_id,
                "tracking_date": (SYN_TODAY - timedelta(days=days_ago)).isoformat(),
                "tracking_period": period,
                "saturation_score": saturation,
                "opportunity_score": opportunity,
                "revenue_per_send_trend": trend,
                "calculated_at": "2025-06-01 03:00:00",
            }
        )

    def tables(self) -> dict[str, list[dict]]:
        return {
            "creators": self.creators,
            "mass_messages": self.messages,
            "volume_performance_tracking": self.tracking,
        }


def synthetic_tables() -> tuple[dict[str, list[dict]], dict[str, tuple[float, float]]]:
    """The raw tables and, per on-demand creator, the (saturation, opportunity) worked by hand."""
    s = Synthetic()
    scores: dict[str, tuple[float, float]] = {}

    def od(name, prev, cur, saturation, opportunity, **kwargs):
        s.both(s.creator(name, **kwargs.pop("creator", {})), prev, cur, **kwargs)
        scores[name] = (saturation, opportunity)

    # rps 2.0 -> 1.7 is exactly -15 %: no points; 1.69 is -15.5 %: +20.
    od("od_rps_fall_exact", {"earnings": 2000}, {"earnings": 1700}, 50, 50)
    od("od_rps_fall_over", {"earnings": 2000}, {"earnings": 1690}, 70, 50)
    # rps 2.0 -> 2.3 is exactly +15 %: no points; 2.31: +20 opportunity.
    od("od_rps_rise_exact", {"earnings": 2000}, {"earnings": 2300}, 50, 50)
    od("od_rps_rise_over", {"earnings": 2000}, {"earnings": 2310}, 50, 70)
    # view rate 0.50 -> 0.45 is exactly -10 %; 0.449 fires (+15 saturation).
    od("od_vr_fall_exact", {"viewed": 500}, {"viewed": 450}, 50, 50)
    od("od_vr_fall_over", {"viewed": 500}, {"viewed": 449}, 65, 50)
    # view rate 0.40 -> 0.42 is exactly +5 %; 0.421 fires (+15 opportunity).
    od("od_vr_rise_exact", {"viewed": 400}, {"viewed": 420}, 50, 50)
    od("od_vr_rise_over", {"viewed": 400}, {"viewed": 421}, 50, 65)
    # purchase rate 0.040 -> 0.036 is exactly -10 %; 0.035 (-12.5 %) fires (+10).
    od("od_pr_fall_exact", {"purchased": 40}, {"purchased": 36}, 50, 50)
    od("od_pr_fall_over", {"purchased": 40}, {"purchased": 35}, 60, 50)
    # current purchase rate exactly 0.05: no points; 0.0501: +10.
    od("od_pr_level_exact", {"purchased": 50}, {"purchased": 50}, 50, 50)
    big = {"sent": 10000, "viewed": 4000, "purchased": 501, "earnings": 20000}
    od("od_pr_level_over", big, big, 50, 60)
    # previous rps 0 (no earnings): a change against 0 adds no points, in either direction.
    od("od_prev_rps_zero", {"earnings": 0}, {"earnings": 500}, 50, 50)
    # empty previous window reads as equal; current pr 0.06 still counts.
    name = s.creator("od_prev_empty")
    s.window(name, "cur", [{"purchased": 60, "earnings": 1000}] * 5)
    scores[name] = (50, 60)

    # volatility exactly 0.6 (earnings 800/200 alternating): no points; 0.62: +15.
    for name, high, low, saturation in (
        ("od_vol_exact", 800, 200, 50),
        ("od_vol_over", 810, 190, 65),
    ):
        s.creator(name)
        specs = [{"sent": 1000, "earnings": e} for e in (high, low) * 3]
        s.window(name, "prev", specs)
        s.window(name, "cur", specs)
        scores[name] = (saturation, 50)

    # average of per-message view rates stays 0.5 (0.9 once, 0.4 four times), the ratio of sums
    # would fall to 0.41 (-17.6 %); earnings proportional to sends keep rps 2.0 but are volatile.
    name = s.creator("od_avg_of_ratios")
    s.window(name, "prev", [{"viewed": 500}] * 5)
    odd = {"sent": 100, "viewed": 90, "purchased": 3, "earnings": 200}
    s.window(name, "cur", [odd] + [{"viewed": 400}] * 4)
    scores[name] = (50, 50)  # volatility 720 / 1640 = 0.439: no point either

    # everything fires at once: 50 + 20 + 15 + 10 + 15 = 110, clamped to 100.
    name = s.creator("od_all_saturation", fans="20000")
    s.window(name, "prev", [{"viewed": 500, "purchased": 50, "earnings": 2000}] * 5)
    volatile = (3000, 100, 2500, 50, 1000)
    s.window(name, "cur", [{"viewed": 300, "purchased": 30, "earnings": e} for e in volatile])
    scores[name] = (100, 50)

    # every opportunity point on a free Low page: saturation stays 50, so no boost (x0.9).
    od(
        "od_all_opportunity",
        {"viewed": 400, "purchased": 40, "earnings": 1000},
        {"viewed": 500, "purchased": 70, "earnings": 1500},
        50,
        95,
        creator={"fans": "700", "page_type": "free"},
    )

    # window edges and the minimum of 5: 4 usable current messages -> defaults, then a 5th.
    for name, usable in (("od_four_messages", 4), ("od_five_messages", 5)):
        s.creator(name, fans="1500")
        s.message(name, SYN_AS_OF)  # closed on the right
        s.message(name, SYN_AS_OF - timedelta(days=14) + timedelta(seconds=1))  # open on the left
        for i in range(usable - 2):
            s.message(name, SYN_AS_OF - timedelta(days=2, hours=i), purchased=60)
        s.message(name, SYN_AS_OF - timedelta(days=14), earnings=9000)  # previous window
        s.message(name, SYN_AS_OF + timedelta(seconds=1))  # scheduled, ignored
        s.message(name, SYN_AS_OF - timedelta(days=3), kind="free")
        s.message(name, SYN_AS_OF - timedelta(days=3), sent=0)
        s.message(name, SYN_AS_OF - timedelta(days=3), sent=None)
        # exactly 28 days back is outside the previous window (a huge rps if it counted)
        s.message(name, SYN_AS_OF - timedelta(days=28), earnings=90000)
    # previous: one message rps 9.0 -> current rps 2.0 is -77.8 %: +20; current pr (3 x 0.06 +
    # 2 x 0.03) / 5 = 0.048 -> no opportunity point.
    scores["od_five_messages"] = (70, 50)

    # --- tracking rows (Ultra, base 6/4/3) ---
    def tr(name, *rows, fans="20000", page_type="paid"):
        s.creator(name, fans=fans, page_type=page_type)
        for row in rows:
            s.track(name, *row)
        return name

    tr("tr_sat_70_5", (1, "70.5", "90"))  # > 70: x0.7
    tr("tr_boost_12", (1, "49.99", "70.01"))  # x1.2: 7.2 -> 7, 4.8 -> 5, 3.6 -> 4
    tr("tr_boost_11", (1, "29.99", "60"))  # x1.1: 6.6 -> 7, 4.4 -> 4, 3.3 -> 3
    tr("tr_no_boost_59_99", (1, "10", "59.99"))
    tr("tr_trend_just_below", (1, "40", "40", "-15.0001"))
    tr("tr_trend_just_above", (1, "40", "40", "15.0001"))
    tr("tr_revenue_cap", (1, "10", "90", "30"))  # 7 + 1 = 8, follow-up cap 5
    tr("tr_low_floor", (1, "90", "10", "-40"), fans="100")  # 2 x 0.7 = 1.4 -> 1, -1 -> clamp 1
    tr("tr_age_0", (0, "55", "50"))
    tr("tr_age_14", (14, "75", "50"))
    tr("tr_age_15", (15, "75", "50"))  # too old, no messages: defaults, no flag
    name = tr("tr_age_15_messages", (15, "75", "50"))  # too old: on demand
    s.both(name, {"earnings": 2000}, {"earnings": 1000})
    scores[name] = (70, 50)
    name = tr("tr_beats_on_demand", (3, "20", "65"))  # tracking wins over messages
    s.both(name, {"earnings": 2000}, {"earnings": 1000})
    tr("tr_future_and_valid", (-1, "90", "90"), (3, "35", "75"))  # flag + the valid row
    tr("tr_future_only", (-2, "90", "90"))  # flag, defaults
    tr("tr_future_7d_only", (-2, "90", "90", "0", "7d"))  # not 14d: no flag
    tr("tr_null_saturation_newest", (1, None, "90"), (5, "60", "65"))
    tr(
        "tr_other_periods_newer",
        (1, "90", "90", "0", "7d"),
        (2, "90", "90", "0", "30d"),
        (4, "45", "65", "-20"),
    )
    tr("tr_opportunity_null", (2, "40", None))
    tr("tr_trend_null", (2, "40", "80", None))
    tr("tr_clamp_high", (2, "150", "101"))
    tr("tr_clamp_low", (2, "-0.5", "-3"))
    tr("tr_bounds_exact", (2, "100", "0"))  # in range: no flag
    tr("tr_free_page", (2, "20", "80", "20"), page_type="free")

    # --- creators columns ---
    s.creator("pt_spaces", page_type=" free ")
    s.creator("pt_upper", page_type="FREE")
    s.creator("pt_empty", page_type="")
    s.creator("pt_null", page_type=None)
    s.creator("pt_vip", page_type="vip", fans="-1")
    s.creator("fans_null", fans=None)
    s.creator("fans_zero", fans="0")
    s.creator("inactive_one", is_active="0", fans="15000")
    return s.tables(), scores


@pytest.fixture(scope="module")
def synthetic() -> tuple[dict[str, list[dict]], dict[str, tuple[float, float]]]:
    return synthetic_tables()


def test_oracle_on_demand_scores_by_hand(synthetic):
    """The oracle itself, against scores worked out by hand from the SPEC's thresholds."""
    tables, scores = synthetic
    expected = expected_configs(tables, SYN_AS_OF)
    for name, (saturation, opportunity) in scores.items():
        assert expected[name]["data_source"] == "calculated_on_demand", name
        got = (expected[name]["saturation_score"], expected[name]["opportunity_score"])
        assert got == (saturation, opportunity), name
    assert expected["od_four_messages"]["data_source"] == "default_values"
    assert on_demand_scores([], SYN_AS_OF) is None


def test_oracle_tracking_cases_by_hand(synthetic):
    tables, _ = synthetic
    e = expected_configs(tables, SYN_AS_OF)

    def items(name):
        c = e[name]
        return (
            c["revenue_items_per_day"],
            c["engagement_items_per_day"],
            c["retention_items_per_day"],
        )

    assert items("tr_sat_70_5") == (4, 3, 2)
    assert items("tr_boost_12") == (7, 5, 4)
    assert items("tr_boost_11") == (7, 4, 3)
    assert items("tr_no_boost_59_99") == (6, 4, 3)
    assert items("tr_trend_just_below") == (5, 4, 3)
    assert items("tr_trend_just_above") == (7, 4, 3)
    assert items("tr_revenue_cap") == (8, 5, 4)
    assert e["tr_revenue_cap"]["followup_per_day"] == 5
    assert items("tr_low_floor") == (1, 1, 1)
    assert e["tr_age_14"]["data_source"] == "volume_performance_tracking"
    assert e["tr_age_15"]["data_source"] == "default_values"
    assert e["tr_age_15"]["data_quality_flags"] == []
    assert e["tr_future_and_valid"]["tracking_date"] == "2025-06-12"
    assert e["tr_future_and_valid"]["data_quality_flags"] == ["tracking_in_future"]
    assert e["tr_future_only"]["data_source"] == "default_values"
    assert e["tr_future_7d_only"]["data_quality_flags"] == []
    assert e["tr_null_saturation_newest"]["tracking_date"] == "2025-06-10"
    assert e["tr_other_periods_newer"]["saturation_score"] == 45
    assert e["tr_opportunity_null"]["data_quality_flags"] == ["opportunity_missing"]
    assert e["tr_clamp_high"]["data_quality_flags"] == ["opportunity_clamped", "saturation_clamped"]
    assert (e["tr_clamp_low"]["saturation_score"], e["tr_clamp_low"]["opportunity_score"]) == (0, 0)
    assert e["tr_bounds_exact"]["data_quality_flags"] == []
    assert e["pt_spaces"]["page_type"] == "free" and e["pt_spaces"]["data_quality_flags"] == []
    assert e["pt_empty"]["data_quality_flags"] == ["page_type_unknown"]
    assert e["pt_vip"]["data_quality_flags"] == ["fan_count_negative", "page_type_unknown"]
    assert e["fans_null"]["data_quality_flags"] == ["fan_count_missing"]


def test_synthetic_build_matches_oracle(synthetic, tmp_path):
    tables, _ = synthetic
    raw = write_sqlite(tmp_path / "synthetic.db", tables)
    db = build(db=tmp_path / "synthetic.duckdb", raw=raw, as_of=str(SYN_AS_OF), echo=False)
    assert mismatches(read_volume_config(db), expected_configs(tables, SYN_AS_OF)) == []


def test_demo_at_another_as_of_matches_oracle(demo_tables, demo_sqlite, tmp_path):
    """The demo a week earlier, mid-afternoon: other windows, other tracking rows, future rows."""
    as_of = datetime(2025, 12, 9, 15, 30, 0)
    db = build(db=tmp_path / "shifted.duckdb", raw=demo_sqlite, as_of=str(as_of), echo=False)
    expected = expected_configs(demo_tables, as_of)
    assert Counter(c["data_source"] for c in expected.values()).keys() == {
        "volume_performance_tracking",
        "calculated_on_demand",
        "default_values",
    }
    assert mismatches(read_volume_config(db), expected) == []

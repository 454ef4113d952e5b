"""The four legacy functions (SPEC 8) on the demo build: shapes, plain JSON types, values,
lookups by creator_id and page_name, the legacy error dicts, and where the wrapper reads from.

Expected values come from the demo seeds (docs/demo-data.md) and are computed here independently
of the dbt models wherever they are not a rule of SPEC 2-6.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_AS_OF, demo_rows
from oracle import tier_for

import eros_volume
from eros_volume.paths import project_dir

NOT_FOUND = "Creator not found: {}"
PAGE_TYPE_ERROR = "page_type must be 'paid' or 'free'"
TIER_ERROR = "tier must be an integer performance tier or one of Low, Mid, High, Ultra"
DEPRECATION_MESSAGE = (
    "get_volume_assignment is deprecated. Use get_volume_config() for dynamic calculation with "
    "full metadata."
)

# The note's "New Response Fields" block, and SPEC 7's volume_config fields (diagnostics included).
NOTE_FIELDS = {
    "volume_level", "ppv_per_day", "bump_per_day", "revenue_items_per_day",
    "engagement_items_per_day", "retention_items_per_day", "bundle_per_week", "game_per_week",
    "followup_per_day", "calculation_source", "fan_count", "page_type", "saturation_score",
    "opportunity_score", "revenue_trend", "data_source", "tracking_date",
}  # fmt: skip
SPEC7_FIELDS = NOTE_FIELDS | {
    "creator_id", "page_name", "is_active", "saturation_multiplier", "opportunity_multiplier",
    "volume_multiplier", "data_quality_flags", "explanation",
}  # fmt: skip
ASSIGNMENT_FIELDS = {
    "volume_level", "ppv_per_day", "bump_per_day", "assigned_at", "assigned_by",
    "assigned_reason", "_deprecated", "_message",
}  # fmt: skip
ACTIVE_CREATOR_FIELDS = [
    "creator_id", "page_name", "display_name", "page_type", "subscription_price", "timezone",
    "creator_group", "current_active_fans", "current_total_earnings", "performance_tier",
    "persona_type", "primary_tone", "emoji_frequency", "slang_level",
]  # fmt: skip
CREATOR_COLUMNS = [
    "creator_id", "page_name", "display_name", "page_type", "subscription_price", "is_active",
    "timezone", "creator_group", "current_active_fans", "current_total_earnings",
    "performance_tier", "persona_type", "created_at", "updated_at",
]  # fmt: skip
SUMMARY_FIELDS = {
    "period_type", "total_sends", "total_earnings", "avg_earnings_per_send", "avg_purchase_rate",
    "avg_view_rate", "calculated_at",
}  # fmt: skip
VOLUME_FIELDS = {"volume_level", "ppv_per_day", "bump_per_day", "revenue_items_per_day"}
INT_FIELDS = (
    "fan_count", "revenue_items_per_day", "engagement_items_per_day", "retention_items_per_day",
    "ppv_per_day", "bump_per_day", "bundle_per_week", "game_per_week", "followup_per_day",
)  # fmt: skip
FLOAT_FIELDS = (
    "saturation_score", "opportunity_score", "revenue_trend", "saturation_multiplier",
    "opportunity_multiplier", "volume_multiplier",
)  # fmt: skip

RAW_CREATORS = demo_rows("creators")
CREATOR_IDS = [row["creator_id"] for row in RAW_CREATORS]
RAW_BY_ID = {row["creator_id"]: row for row in RAW_CREATORS}
ACTIVE_IDS = {row["creator_id"] for row in RAW_CREATORS if row["is_active"] == "1"}
AS_OF = dt.datetime.fromisoformat(DEMO_AS_OF)

EMPTY = "Invalid creator_id: creator_id cannot be empty"
TOO_LONG = "Invalid creator_id: creator_id exceeds maximum length of 100"
BAD_CHARACTERS = (
    "Invalid creator_id: creator_id contains invalid characters (only alphanumeric, underscore, "
    "and hyphen allowed)"
)
# The original's checks, in its order (SPEC 8); a newline is a character outside the set.
INVALID_IDS = [
    ("", EMPTY),
    (None, EMPTY),
    ("x" * 101, TOO_LONG),
    ("x y" * 40, TOO_LONG),
    ("grace bennett", BAD_CHARACTERS),
    ("grace.bennett", BAD_CHARACTERS),
    ("grace_bennett;", BAD_CHARACTERS),
    ("' or '1'='1", BAD_CHARACTERS),
    ("grace_bennett\n", BAD_CHARACTERS),
    ("zo\u00eb", BAD_CHARACTERS),
    (12434, BAD_CHARACTERS),
]


# --- helpers -------------------------------------------------------------------------------------


def assert_plain(value: Any, where: str = "answer") -> None:
    """Only dict / list / str / int / float / bool / None, exactly those types, all the way down."""
    if isinstance(value, dict):
        assert type(value) is dict, where
        for key, item in value.items():
            assert type(key) is str, f"{where}: key {key!r}"
            assert_plain(item, f"{where}.{key}")
    elif isinstance(value, list):
        assert type(value) is list, where
        for index, item in enumerate(value):
            assert_plain(item, f"{where}[{index}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), (
            f"{where}: {type(value).__name__} {value!r}"
        )
    if isinstance(value, float):
        assert value == value and value not in (float("inf"), float("-inf")), where


def assert_json(value: Any) -> None:
    assert_plain(value)
    assert json.loads(json.dumps(value, allow_nan=False)) == value


def is_int(value: Any) -> bool:
    return type(value) is int


def is_date(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def raw_fans(creator_id: str) -> int:
    text = RAW_BY_ID[creator_id]["current_active_fans"]
    return max(int(text), 0) if text is not None else 0


def raw_page_type(creator_id: str) -> str:
    stored = (RAW_BY_ID[creator_id]["page_type"] or "").strip().lower()
    return stored if stored in ("paid", "free") else "paid"


def as_float(text: str | None) -> float | None:
    return float(text) if text is not None else None


def as_int(text: str | None) -> int | None:
    return int(text) if text is not None else None


def newest_personas() -> dict[str, dict[str, str | None]]:
    newest: dict[str, dict[str, str | None]] = {}
    for row in demo_rows("creator_personas"):
        kept = newest.get(row["creator_id"])
        if kept is None or (row["last_analyzed"] or "") > (kept["last_analyzed"] or ""):
            newest[row["creator_id"]] = row
    return newest


def expected_summary(creator_id: str) -> dict[str, Any] | None:
    """analytics_summary from the raw messages: PPV with sends in (as_of - 30 days, as_of]."""
    since = AS_OF - dt.timedelta(days=30)
    messages = [
        row
        for row in demo_rows("mass_messages")
        if row["creator_id"] == creator_id
        and (row["message_type"] or "").strip().lower() == "ppv"
        and int(row["sent_count"] or 0) > 0
        and since < dt.datetime.fromisoformat(row["sending_time"]) <= AS_OF
    ]
    if not messages:
        return None

    def mean(column: str) -> float:
        return statistics.fmean(float(m[column] or 0) / int(m["sent_count"]) for m in messages)

    return {
        "period_type": "30d",
        "total_sends": len(messages),
        "total_earnings": sum(float(m["earnings"] or 0) for m in messages),
        "avg_earnings_per_send": mean("earnings"),
        "avg_purchase_rate": mean("purchased_count"),
        "avg_view_rate": mean("viewed_count"),
        "calculated_at": DEMO_AS_OF,
    }


def expected_content_types(creator_id: str) -> list[dict[str, str | None]]:
    rows = [row for row in demo_rows("top_content_types") if row["creator_id"] == creator_id]
    if not rows:
        return []
    newest = max(row["analysis_date"] for row in rows)
    return sorted(
        (row for row in rows if row["analysis_date"] == newest), key=lambda r: int(r["rank"])
    )


def deprecated_assignment(store: eros_volume.VolumeStore, creator: Any) -> dict[str, Any]:
    with pytest.warns(DeprecationWarning, match="get_volume_assignment is deprecated"):
        return store.get_volume_assignment(creator)


@pytest.fixture(scope="module")
def store(demo_db: Path) -> eros_volume.VolumeStore:
    return eros_volume.connect(demo_db)


@pytest.fixture(scope="module")
def configs(store: eros_volume.VolumeStore) -> dict[str, dict[str, Any]]:
    return {creator: store.get_volume_config(creator) for creator in CREATOR_IDS}


# --- get_volume_config ---------------------------------------------------------------------------


def test_volume_config_shape_and_types_for_every_creator(configs: dict) -> None:
    # The values are the oracle's to check (test_oracle.py, field by field); here: the wrapper's
    # part, the legacy shape and plain JSON types of every row.
    assert len(configs) == 52
    for creator, config in configs.items():
        assert "error" not in config, config
        assert_json(config)
        assert set(config) >= SPEC7_FIELDS, SPEC7_FIELDS - set(config)
        assert config["creator_id"] == creator
        assert config["page_name"] == RAW_BY_ID[creator]["page_name"]
        for field in INT_FIELDS:
            assert is_int(config[field]), (creator, field, config[field])
        for field in FLOAT_FIELDS:
            assert type(config[field]) is float, (creator, field, config[field])
        assert type(config["is_active"]) is bool
        assert config["tracking_date"] is None or is_date(config["tracking_date"])
        assert isinstance(config["explanation"], str) and config["explanation"].strip()


def test_volume_config_by_page_name(store: eros_volume.VolumeStore, configs: dict) -> None:
    for creator in CREATOR_IDS:
        page_name = RAW_BY_ID[creator]["page_name"]
        assert page_name != creator
        assert store.get_volume_config(page_name) == configs[creator]


# --- get_volume_assignment -----------------------------------------------------------------------


def test_volume_assignment_warns_and_has_the_legacy_shape(
    store: eros_volume.VolumeStore, configs: dict
) -> None:
    for creator in CREATOR_IDS:
        answer = deprecated_assignment(store, creator)
        assert_json(answer)
        assert set(answer) == ASSIGNMENT_FIELDS
        config = configs[creator]
        assert answer == {
            "volume_level": config["volume_level"],
            "ppv_per_day": config["ppv_per_day"],
            "bump_per_day": config["bump_per_day"],
            "assigned_at": config["tracking_date"],
            "assigned_by": "dynamic_calculation",
            "assigned_reason": "fan_count_bracket",
            "_deprecated": True,
            "_message": DEPRECATION_MESSAGE,
        }
    assert deprecated_assignment(store, "gracebennett") == deprecated_assignment(
        store, "grace_bennett"
    )


def test_volume_assignment_warning_points_at_the_caller(store: eros_volume.VolumeStore) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.get_volume_assignment("grace_bennett")
    assert [w.category for w in caught] == [DeprecationWarning]
    assert Path(caught[0].filename).resolve() == Path(__file__).resolve()


def test_module_function_warning_points_at_the_caller(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EROS_VOLUME_DB", str(demo_db))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eros_volume.get_volume_assignment("grace_bennett")
    assert [w.category for w in caught] == [DeprecationWarning]
    assert Path(caught[0].filename).resolve() == Path(__file__).resolve()


# --- get_active_creators -------------------------------------------------------------------------


def test_active_creators_shape_values_and_order(store: eros_volume.VolumeStore) -> None:
    answer = store.get_active_creators()
    assert_json(answer)
    assert set(answer) == {"creators", "count"}
    creators = answer["creators"]
    assert answer["count"] == len(creators) == len(ACTIVE_IDS) == 49
    assert [row["creator_id"] for row in creators] == sorted(
        ACTIVE_IDS, key=lambda c: -float(RAW_BY_ID[c]["current_total_earnings"])
    )
    earnings = [row["current_total_earnings"] for row in creators]
    assert earnings == sorted(earnings, reverse=True)
    personas = newest_personas()
    for row in creators:
        assert list(row) == ACTIVE_CREATOR_FIELDS
        assert not VOLUME_FIELDS & set(row)
        raw = RAW_BY_ID[row["creator_id"]]
        persona = personas.get(row["creator_id"], {})
        assert row == {
            "creator_id": raw["creator_id"],
            "page_name": raw["page_name"],
            "display_name": raw["display_name"],
            "page_type": raw_page_type(raw["creator_id"]),
            "subscription_price": as_float(raw["subscription_price"]),
            "timezone": raw["timezone"],
            "creator_group": raw["creator_group"],
            "current_active_fans": as_int(raw["current_active_fans"]),
            "current_total_earnings": as_float(raw["current_total_earnings"]),
            "performance_tier": as_int(raw["performance_tier"]),
            "persona_type": raw["persona_type"],
            "primary_tone": persona.get("primary_tone"),
            "emoji_frequency": persona.get("emoji_frequency"),
            "slang_level": persona.get("slang_level"),
        }
    by_id = {row["creator_id"]: row for row in creators}
    # Two persona rows: the newest last_analyzed wins (not the highest persona_id).
    stella = [p for p in demo_rows("creator_personas") if p["creator_id"] == "stella_park"]
    newest = max(stella, key=lambda p: p["last_analyzed"])
    assert by_id["stella_park"]["primary_tone"] == newest["primary_tone"]
    assert by_id["rose_kim"]["primary_tone"] is None  # no persona row
    assert by_id["faith_oconnor"]["display_name"] == "Faith O'Connor"


@pytest.mark.parametrize("tier", [1, 2, 3, 4, 5])
def test_active_creators_by_performance_tier(store: eros_volume.VolumeStore, tier: int) -> None:
    answer = store.get_active_creators(tier=tier)
    expected = {c for c in ACTIVE_IDS if RAW_BY_ID[c]["performance_tier"] == str(tier)}
    assert expected
    assert {row["creator_id"] for row in answer["creators"]} == expected
    assert answer["count"] == len(expected)
    earnings = [row["current_total_earnings"] for row in answer["creators"]]
    assert earnings == sorted(earnings, reverse=True)


def test_active_creators_by_volume_level_in_any_case(store: eros_volume.VolumeStore) -> None:
    seen: set[str] = set()
    clean_counts = {}
    for level in ("Ultra", "High", "Mid", "Low"):
        expected = {c for c in ACTIVE_IDS if tier_for(raw_fans(c)) == level}
        for spelling in (level, level.lower(), level.upper()):
            answer = store.get_active_creators(tier=spelling)
            assert_json(answer)
            assert {row["creator_id"] for row in answer["creators"]} == expected, spelling
            assert answer["count"] == len(expected)
        seen |= expected
        clean_counts[level] = len([c for c in expected if not c.startswith("malformed_")])
    assert seen == ACTIVE_IDS
    assert clean_counts == {"Ultra": 5, "High": 7, "Mid": 11, "Low": 14}  # the note's test run


def test_active_creators_by_page_type(store: eros_volume.VolumeStore) -> None:
    for page_type in ("paid", "free"):
        answer = store.get_active_creators(page_type=page_type)
        expected = {c for c in ACTIVE_IDS if raw_page_type(c) == page_type}
        assert {row["creator_id"] for row in answer["creators"]} == expected
        assert all(row["page_type"] == page_type for row in answer["creators"])
    free = {row["creator_id"] for row in store.get_active_creators(page_type="free")["creators"]}
    assert {"zoe_kessler", "malformed_negative_fans"} <= free  # stored 'Free'; free page
    assert "bella_quinn" not in free  # stored ' PAID'
    both = store.get_active_creators(tier="ultra", page_type="free")
    assert {row["creator_id"] for row in both["creators"]} == {"scarlett_vance"}
    tier_and_type = store.get_active_creators(tier=4, page_type="free")
    assert {row["creator_id"] for row in tier_and_type["creators"]} == {
        c
        for c in ACTIVE_IDS
        if RAW_BY_ID[c]["performance_tier"] == "4" and raw_page_type(c) == "free"
    }


@pytest.mark.parametrize("tier", ["Mega", "ultra ", "", "3", 1.5, True, ["Low"], 0, 6, 99, -1])
def test_active_creators_bad_tier(store: eros_volume.VolumeStore, tier: Any) -> None:
    assert store.get_active_creators(tier=tier) == {"error": TIER_ERROR}


@pytest.mark.parametrize("page_type", ["vip", "", "paid ", 1])
def test_active_creators_bad_page_type(store: eros_volume.VolumeStore, page_type: Any) -> None:
    assert store.get_active_creators(page_type=page_type) == {"error": PAGE_TYPE_ERROR}
    assert store.get_active_creators(tier="High", page_type=page_type) == {"error": PAGE_TYPE_ERROR}


# --- get_creator_profile -------------------------------------------------------------------------


def test_creator_profile_for_every_creator(store: eros_volume.VolumeStore, configs: dict) -> None:
    with_summary = with_content = 0
    for creator in CREATOR_IDS:
        profile = store.get_creator_profile(creator)
        assert_json(profile)
        assert list(profile) == [
            "creator", "analytics_summary", "volume_assignment", "top_content_types",
        ]  # fmt: skip
        raw = RAW_BY_ID[creator]
        assert profile["creator"] == {
            "creator_id": creator,
            "page_name": raw["page_name"],
            "display_name": raw["display_name"],
            "page_type": raw_page_type(creator),
            "subscription_price": as_float(raw["subscription_price"]),
            "is_active": int(creator in ACTIVE_IDS),
            "timezone": raw["timezone"],
            "creator_group": raw["creator_group"],
            "current_active_fans": as_int(raw["current_active_fans"]),
            "current_total_earnings": as_float(raw["current_total_earnings"]),
            "performance_tier": as_int(raw["performance_tier"]),
            "persona_type": raw["persona_type"],
            "created_at": raw["created_at"],
            "updated_at": raw["updated_at"],
        }
        assert list(profile["creator"]) == CREATOR_COLUMNS
        assert type(profile["creator"]["is_active"]) is int  # the original's 1/0, not a bool
        assert profile["volume_assignment"] == configs[creator]

        summary, expected = profile["analytics_summary"], expected_summary(creator)
        if expected is None:
            assert summary is None, creator
        else:
            with_summary += 1
            assert set(summary) == SUMMARY_FIELDS
            assert is_int(summary["total_sends"])
            for key in ("total_earnings", "avg_earnings_per_send", "avg_purchase_rate"):
                assert type(summary[key]) is float, (creator, key)
            assert summary == {
                key: pytest.approx(value, abs=1e-6) if isinstance(value, float) else value
                for key, value in expected.items()
            }, creator

        content = profile["top_content_types"]
        expected_content = expected_content_types(creator)
        with_content += bool(expected_content)
        assert [(row["analysis_date"], row["rank"], row["content_type"]) for row in content] == [
            (r["analysis_date"], int(r["rank"]), r["content_type"]) for r in expected_content
        ]
        for row, raw_row in zip(content, expected_content, strict=True):
            assert {"creator_id", "analysis_date", "rank", "content_type"} <= set(row)
            assert row["creator_id"] == creator
            assert row["send_count"] == as_int(raw_row["send_count"])
            assert row["total_earnings"] == as_float(raw_row["total_earnings"])
            assert row["avg_purchase_rate"] == as_float(raw_row["avg_purchase_rate"])
            assert row["performance_tier"] == raw_row["performance_tier"]
    assert with_summary >= 20
    assert with_content == 6


def test_creator_profile_content_types_and_summary(store: eros_volume.VolumeStore) -> None:
    profile = store.get_creator_profile("grace_bennett")
    content = profile["top_content_types"]
    assert [row["rank"] for row in content] == [1, 2, 3]
    assert {row["analysis_date"] for row in content} == {"2025-12-15"}
    assert profile["analytics_summary"]["total_sends"] > 0
    assert store.get_creator_profile("lily_monroe")["analytics_summary"] is None
    assert store.get_creator_profile("lily_monroe")["top_content_types"] == []


def test_creator_profile_by_page_name(store: eros_volume.VolumeStore) -> None:
    for creator in ("grace_bennett", "june_harlow", "malformed_null_fans", "sophia_reyes"):
        page_name = RAW_BY_ID[creator]["page_name"]
        assert store.get_creator_profile(page_name) == store.get_creator_profile(creator)


# --- errors --------------------------------------------------------------------------------------


def lookups(store: eros_volume.VolumeStore) -> dict[str, Any]:
    return {
        "get_volume_config": store.get_volume_config,
        "get_volume_assignment": lambda c: deprecated_assignment(store, c),
        "get_creator_profile": store.get_creator_profile,
    }


@pytest.mark.parametrize(
    "creator", ["nobody_here", "GRACE_BENNETT", "x" * 100, "-", "natalie_cruz"]
)
def test_unknown_creator(store: eros_volume.VolumeStore, creator: str) -> None:
    # natalie_cruz has a legacy volume_assignments row but no creators row (an orphan).
    for name, lookup in lookups(store).items():
        assert lookup(creator) == {"error": NOT_FOUND.format(creator)}, name


@pytest.mark.parametrize(("creator", "error"), INVALID_IDS, ids=lambda c: repr(c)[:20])
def test_invalid_creator_id_gets_the_original_text(
    store: eros_volume.VolumeStore, creator: Any, error: str
) -> None:
    for name, lookup in lookups(store).items():
        assert lookup(creator) == {"error": error}, name


# --- where the wrapper reads from ----------------------------------------------------------------


def test_module_functions_read_eros_volume_db(
    demo_db: Path, store: eros_volume.VolumeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EROS_VOLUME_DB", str(demo_db))
    assert eros_volume.connect().path == demo_db.resolve()
    assert eros_volume.get_volume_config("gracebennett") == store.get_volume_config("grace_bennett")
    with pytest.warns(DeprecationWarning):
        assert eros_volume.get_volume_assignment("grace_bennett")["volume_level"] == "High"
    assert eros_volume.get_active_creators(tier="Ultra", page_type="free") == (
        store.get_active_creators(tier="ultra", page_type="free")
    )
    assert eros_volume.get_creator_profile("grace_bennett") == store.get_creator_profile(
        "grace_bennett"
    )
    assert eros_volume.get_volume_config("nobody") == {"error": NOT_FOUND.format("nobody")}


def test_default_database_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EROS_VOLUME_DB", raising=False)
    assert eros_volume.connect().path == project_dir() / "build" / "eros_volume.duckdb"


def test_missing_database_is_an_error_dict_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "never_built.duckdb"
    monkeypatch.setenv("EROS_VOLUME_DB", str(missing))
    start = time.monotonic()
    expected = {"error": f"cannot read {missing}: run `eros-volume build` first"}
    assert eros_volume.get_volume_config("grace_bennett") == expected
    assert eros_volume.get_active_creators() == expected
    assert eros_volume.get_creator_profile("grace_bennett") == expected
    with pytest.warns(DeprecationWarning):
        assert eros_volume.get_volume_assignment("grace_bennett") == expected
    assert time.monotonic() - start < 1
    assert not missing.exists()


def test_reading_never_writes_the_build_file(demo_db: Path, store: eros_volume.VolumeStore) -> None:
    before = hashlib.sha256(demo_db.read_bytes()).hexdigest()
    store.get_volume_config("grace_bennett")
    store.get_active_creators(tier="High")
    store.get_creator_profile("gracebennett")
    deprecated_assignment(store, "grace_bennett")
    assert hashlib.sha256(demo_db.read_bytes()).hexdigest() == before
    assert not demo_db.with_name(demo_db.name + ".wal").exists()

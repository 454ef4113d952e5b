"""Change control (SPEC 9): the history carried across builds, changes, what-if and --set."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from eros_volume import connect
from eros_volume.build import BuildError, build
from eros_volume.change_demo import STEPS, run_demo
from eros_volume.rule_vars import RuleVarError, parse_settings
from eros_volume.whatif import what_if

COMPARED = (
    "volume_level",
    "revenue_items_per_day",
    "engagement_items_per_day",
    "retention_items_per_day",
    "followup_per_day",
    "bundle_per_week",
    "game_per_week",
)
SEQUENCE = STEPS[:3]
EROS_VOLUME = str(Path(sys.executable).with_name("eros-volume"))


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [EROS_VOLUME, *args, "--db", str(db)], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def sequence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built at three as_of dates, one day apart, fan counts drifting (change_demo)."""
    return run_demo(tmp_path_factory.mktemp("sequence"), steps=SEQUENCE)


@pytest.fixture()
def serving(sequence: Path, tmp_path: Path) -> Path:
    """A copy of the sequence's build file and its raw database, to change freely."""
    shutil.copy(sequence.with_name("raw.db"), tmp_path / "raw.db")
    shutil.copy(sequence, tmp_path / sequence.name)
    return tmp_path / sequence.name


def test_history_is_carried_across_three_builds(sequence: Path) -> None:
    publications = rows(
        sequence,
        "select as_of, count(*), count(distinct build_id) from volume_config_history"
        " group by as_of order by as_of",
    )
    assert [(str(a), n, b) for a, n, b in publications] == [(a, 52, 1) for a, _ in SEQUENCE]
    assert (
        len({b for (b,) in rows(sequence, "select distinct build_id from volume_config_history")})
        == 3
    )
    assert rows(sequence, "select history_note, as_of from build_info") == [
        (None, duckdb.sql(f"select timestamp '{SEQUENCE[-1][0]}'").fetchone()[0])
    ]


def previous_publications(history: list[tuple]) -> dict[tuple, tuple | None]:
    """(as_of, creator) -> the creator's last row of an earlier day, by brute force."""
    previous = {}
    for as_of, creator, _ in history:
        earlier = [(a, v) for a, c, v in history if c == creator and a.date() < as_of.date()]
        previous[(as_of, creator)] = max(earlier)[1] if earlier else None
    return previous


def test_changes_equal_a_brute_force_comparison_of_the_history(sequence: Path) -> None:
    fields = ", ".join(COMPARED)
    history = [
        (row[0], row[1], row[2:])
        for row in rows(sequence, f"select as_of, creator_id, {fields} from volume_config_history")
    ]
    expected = set()
    for (as_of, creator), old in previous_publications(history).items():
        new = next(v for a, c, v in history if (a, c) == (as_of, creator))
        if old is None:
            expected.add((as_of, creator, "new", ()))
        elif old != new:
            moved = tuple(sorted(f for f, o, n in zip(COMPARED, old, new, strict=True) if o != n))
            expected.add((as_of, creator, "changed", moved))
    found = {
        (a, c, t, tuple(f))
        for a, c, t, f in rows(
            sequence,
            "select as_of, creator_id, change_type, changed_fields from volume_config_changes",
        )
    }
    assert found == expected
    by_publication = {}
    for as_of, _, change_type, _ in found:
        by_publication.setdefault((str(as_of), change_type), 0)
        by_publication[(str(as_of), change_type)] += 1
    # The first publication: every creator new; then real movement on each later day.
    assert by_publication[(SEQUENCE[0][0], "new")] == 52
    assert by_publication[(SEQUENCE[1][0], "changed")] > 0
    assert by_publication[(SEQUENCE[2][0], "changed")] > 0


def test_changes_command_serving_publication_and_since(sequence: Path) -> None:
    serving = json.loads(cli("changes", "--json", db=sequence).stdout)
    last = rows(
        sequence,
        f"select count(*) from volume_config_changes where as_of = timestamp '{SEQUENCE[-1][0]}'",
    )[0][0]
    assert serving["count"] == last == len(serving["changes"])
    assert {c["as_of"] for c in serving["changes"]} == {SEQUENCE[-1][0]}
    since = json.loads(cli("changes", "--since", SEQUENCE[1][0][:10], "--json", db=sequence).stdout)
    total = rows(
        sequence, "select count(*) from volume_config_changes where change_type = 'changed'"
    )
    assert since["count"] == total[0][0]
    text = cli("changes", db=sequence).stdout
    assert text.rstrip().endswith(f"{last} changes")


def test_get_volume_changes_filters_and_errors(sequence: Path) -> None:
    store = connect(sequence)
    every = store.get_volume_changes(since="2000-01-01")
    assert every["count"] == rows(sequence, "select count(*) from volume_config_changes")[0][0]
    one = store.get_volume_changes(creator_id="willow_hayes", since="2000-01-01")
    assert {c["creator_id"] for c in one["changes"]} == {"willow_hayes"}
    assert one["changes"][0]["change_type"] == "new"
    assert store.get_volume_changes(since="16.12.2025") == {
        "error": "since must be a date 'YYYY-MM-DD'"
    }
    assert store.get_volume_changes(creator_id="nobody") == {"error": "Creator not found: nobody"}
    bad = cli("changes", "--since", "yesterday", db=sequence)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_failed_build_leaves_the_history_untouched(serving: Path, tmp_path: Path) -> None:
    before = digest(serving)
    broken = tmp_path / "broken.duckdb"
    duckdb.connect(str(broken)).execute("create table creators (creator_id varchar)").close()
    with pytest.raises(BuildError, match="unchanged"):
        build(db=serving, raw=broken, as_of="2025-12-20 12:00:00", echo=False)
    assert digest(serving) == before
    assert not list(tmp_path.glob("*.building-*"))


def test_unreadable_previous_file_starts_a_new_history_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "eros_volume.duckdb"
    db.write_text("not a database\n")
    result = cli("build", db=db)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "history" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"eros-volume: warning: {db} is not a readable DuckDB file (")
    assert lines[0].endswith("): the history starts with this build")
    assert rows(db, "select count(distinct as_of), count(*) from volume_config_history") == [
        (1, 52)
    ]
    assert rows(db, "select count(*) from volume_config_changes where change_type = 'new'") == [
        (52,)
    ]


def test_what_if_equals_a_real_build_with_the_same_overrides(serving: Path) -> None:
    settings = {"revenue_max": 5, "trend_threshold_pct": 10}
    before = digest(serving)
    result = what_if(settings, db=serving)
    assert digest(serving) == before
    assert not list(serving.parent.glob("*.whatif-*"))
    old = {
        r[0]: r[1:]
        for r in rows(serving, f"select creator_id, {', '.join(COMPARED)} from volume_config")
    }
    build(
        db=serving,
        raw=serving.with_name("raw.db"),
        as_of=SEQUENCE[-1][0],
        settings=settings,
        echo=False,
    )
    new = {
        r[0]: r[1:]
        for r in rows(serving, f"select creator_id, {', '.join(COMPARED)} from volume_config")
    }
    changed = {c: v for c, v in new.items() if v != old[c]}
    assert result["changed"] == len(changed) > 0
    assert {
        c["creator_id"]: tuple(c[f"new_{f}"] for f in COMPARED) for c in result["changes"]
    } == changed
    explanations = dict(rows(serving, "select creator_id, explanation from volume_config"))
    assert all(c["explanation"] == explanations[c["creator_id"]] for c in result["changes"])
    sends = rows(
        serving,
        "select sum(revenue_items_per_day + engagement_items_per_day + retention_items_per_day)"
        " from volume_config where is_active",
    )[0][0]
    assert result["active_sends_per_day"]["after"] == sends
    assert json.loads(rows(serving, "select var_overrides from build_info")[0][0]) == settings


def test_set_is_checked_against_the_project_vars() -> None:
    assert parse_settings(["stability_max_step=3", "stability_tier_buffer_pct=2.5"]) == {
        "stability_max_step": 3,
        "stability_tier_buffer_pct": 2.5,
    }
    assert parse_settings(["revenue_max=6", "saturation_high_multiplier=1"]) == {
        "revenue_max": 6,
        "saturation_high_multiplier": 1,
    }
    for bad, message in (
        ("no_such_var=1", "--set no_such_var: unknown var"),
        ("revenue_max=6.5", "--set revenue_max=6.5: not an integer"),
        ("stability_max_step=-1", "--set stability_max_step=-1: must be >= 0"),
        ("stability_tier_buffer_pct=abc", "--set stability_tier_buffer_pct=abc: not a decimal"),
        ("revenue_max", "--set revenue_max: expected VAR=VALUE"),
    ):
        with pytest.raises(RuleVarError, match=message):
            parse_settings([bad])


@pytest.mark.parametrize("command", ["build", "what-if"])
def test_bad_set_is_refused_in_one_line_before_any_work(command: str, tmp_path: Path) -> None:
    db = tmp_path / "eros_volume.duckdb"
    result = cli(command, "--set", "stability_max_step=1.5", db=db)
    assert result.returncode == 2
    assert result.stderr == "eros-volume: error: --set stability_max_step=1.5: not an integer\n"
    assert list(tmp_path.iterdir()) == []


STABILITY = {"stability_tier_buffer_pct": 5, "stability_max_step": 1}


def test_what_if_with_the_stability_rule_equals_a_real_rebuild(serving: Path) -> None:
    """Both compare with the serving build's history without its own publication."""
    fields = ", ".join(COMPARED)
    result = what_if(STABILITY, db=serving)
    build(
        db=serving,
        raw=serving.with_name("raw.db"),
        as_of=SEQUENCE[-1][0],
        settings=STABILITY,
        echo=False,
    )
    rebuilt = {
        r[0]: r[1:] for r in rows(serving, f"select creator_id, {fields} from volume_config")
    }
    for change in result["changes"]:
        assert rebuilt[change["creator_id"]] == tuple(change[f"new_{f}"] for f in COMPARED)
    flagged = rows(
        serving,
        "select count(*) from volume_config where len(list_filter(data_quality_flags,"
        " f -> f like 'stability_%')) > 0",
    )[0][0]
    assert result["changed"] >= flagged > 0


def test_same_day_rebuilds_do_not_ratchet(serving: Path) -> None:
    """k = 0 freezes the items at the previous publication of an earlier day: a second build
    later on the same day still compares with that day, not with the first build of the day."""
    later = SEQUENCE[-1][0].replace("12:00:00", "18:00:00")
    build(
        db=serving,
        raw=serving.with_name("raw.db"),
        as_of=later,
        settings={"stability_max_step": 0},
        echo=False,
    )
    items = "revenue_items_per_day, engagement_items_per_day, retention_items_per_day"
    day_before = {
        r[0]: r[1:]
        for r in rows(
            serving,
            f"select creator_id, {items} from volume_config_history"
            f" where as_of = timestamp '{SEQUENCE[-2][0]}'",
        )
    }
    now = {r[0]: r[1:] for r in rows(serving, f"select creator_id, {items} from volume_config")}
    assert now == day_before
    publications = rows(serving, "select distinct as_of from volume_config_history order by 1")
    assert [str(a) for (a,) in publications] == [a for a, _ in SEQUENCE] + [later]

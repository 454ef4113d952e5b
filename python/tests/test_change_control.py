"""Change control (SPEC 9): the history carried across builds, changes, what-if and --set."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb
import oracle
import pytest
from conftest import DEMO_AS_OF, DEMO_TABLES, demo_rows
from oracle import expected_configs

from eros_volume import connect
from eros_volume.build import BuildError, build
from eros_volume.change_demo import STEPS, change_counts, run_demo
from eros_volume.paths import project_dir
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


def test_history_grows_in_place_same_as_of_replaced_and_pruned(serving: Path) -> None:
    """The build file starts as a copy of the one it replaces and the history tables are
    incremental: a rebuild at the serving as_of replaces that publication whole (rows and
    change rows, one build_id), and history_days=1 then prunes every publication older than a
    day before as_of (the one exactly a day old stays)."""
    raw = serving.with_name("raw.db")
    before = rows(serving, "select build_id from build_info")[0][0]
    build(db=serving, raw=raw, as_of=SEQUENCE[-1][0], echo=False)
    (after,) = rows(serving, "select build_id from build_info")[0]
    publications = rows(
        serving,
        "select as_of, count(*), min(build_id), max(build_id) from volume_config_history"
        " group by as_of order by as_of",
    )
    assert [(str(a), n) for a, n, _, _ in publications] == [(a, 52) for a, _ in SEQUENCE]
    assert publications[-1][2:] == (after, after) and after != before
    assert rows(
        serving,
        "select count(*), count(distinct build_id) from volume_config_changes"
        f" where as_of = timestamp '{SEQUENCE[-1][0]}'",
    ) == [(11, 1)]
    build(db=serving, raw=raw, as_of=SEQUENCE[-1][0], settings={"history_days": 1}, echo=False)
    kept = rows(serving, "select distinct as_of from volume_config_history order by 1")
    assert [str(a) for (a,) in kept] == [a for a, _ in SEQUENCE[-2:]]
    kept_changes = rows(serving, "select distinct as_of from volume_config_changes order by 1")
    assert [str(a) for (a,) in kept_changes] == [a for a, _ in SEQUENCE[-2:]]


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
    # The first publication: every creator new; then the fan-count drift moves 8, then 11.
    assert by_publication == {
        (SEQUENCE[0][0], "new"): 52,
        (SEQUENCE[1][0], "changed"): 8,
        (SEQUENCE[2][0], "changed"): 11,
    }


def test_changes_command_serving_publication_and_since(sequence: Path) -> None:
    serving = json.loads(cli("changes", "--json", db=sequence).stdout)
    last = rows(
        sequence,
        f"select count(*) from volume_config_changes where as_of = timestamp '{SEQUENCE[-1][0]}'",
    )[0][0]
    assert serving["count"] == last == len(serving["changes"]) == 11
    assert {c["as_of"] for c in serving["changes"]} == {SEQUENCE[-1][0]}
    since = json.loads(cli("changes", "--since", SEQUENCE[1][0][:10], "--json", db=sequence).stdout)
    total = rows(
        sequence, "select count(*) from volume_config_changes where change_type = 'changed'"
    )
    assert since["count"] == total[0][0] == 8 + 11
    text = cli("changes", db=sequence).stdout
    assert text.rstrip().endswith("\n11 changes")


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


STABILITY = {"stability_tier_buffer_pct": 5, "stability_max_step": 1}


def test_demo_sequence_with_and_without_the_stability_rule(sequence: Path, tmp_path: Path) -> None:
    """scripts/demo_changes.py's first three steps: per publication (new, changed, held,
    limited). The stability rule damps the drift: fewer changes, levels held by the buffer."""
    plain = [(r["new"], r["changed"], r["held"], r["limited"]) for r in change_counts(sequence)]
    assert plain == [(52, 0, 0, 0), (0, 8, 0, 0), (0, 11, 0, 0)]
    stable_db = run_demo(tmp_path / "stable", settings=STABILITY, steps=SEQUENCE)
    stable = [(r["new"], r["changed"], r["held"], r["limited"]) for r in change_counts(stable_db)]
    assert stable == [(52, 0, 0, 0), (0, 5, 3, 0), (0, 5, 3, 1)]
    # A held level publishes no change (nothing moved); the one limited creator's reason says so.
    stability_reasons = rows(
        stable_db,
        "select creator_id, reason from volume_config_changes where reason like '%stability%'",
    )
    assert stability_reasons == [
        (
            "grace_bennett",
            "revenue_items_per_day 2 -> 3, engagement_items_per_day 2 -> 3,"
            " retention_items_per_day 1 -> 2, followup_per_day 2 -> 3:"
            " saturation 72.0 -> 45.0 (x0.7 -> x1.0); trend step -1 -> 0"
            " (trend -20.0 % -> 0.0 %); stability rule: limited by the step limit.",
        )
    ]


def test_failed_build_leaves_the_history_untouched(serving: Path, tmp_path: Path) -> None:
    before = digest(serving)
    broken = tmp_path / "broken.duckdb"
    duckdb.connect(str(broken)).execute("create table creators (creator_id varchar)").close()
    with pytest.raises(BuildError, match="unchanged"):
        build(db=serving, raw=broken, as_of="2025-12-20 12:00:00", echo=False)
    assert digest(serving) == before
    assert not list(tmp_path.glob("*.building-*"))


def without_history(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("create table volume_config (creator_id varchar)")


@pytest.mark.parametrize(
    ("previous", "line"),
    [
        (None, "no previous build file at {db}"),
        (lambda db: db.write_text("not a database\n"), "{db} is not a readable DuckDB file (*)"),
        (without_history, "{db} has no volume_config_history or volume_config_changes"),
    ],
    ids=["missing", "not_duckdb", "no_history_tables"],
)
def test_no_readable_previous_history_starts_a_new_history_in_one_line(
    previous, line: str, tmp_path: Path
) -> None:
    db = tmp_path / "eros_volume.duckdb"
    if previous:
        previous(db)
    result = cli("build", db=db)
    assert result.returncode == 0, result.stderr
    lines = [text for text in result.stderr.splitlines() if "history" in text]
    head, _, tail = f"eros-volume: warning: {line}: the history starts with this build".format(
        db=db
    ).partition("*")
    assert len(lines) == 1 and lines[0].startswith(head) and lines[0].endswith(tail), lines
    assert rows(db, "select history_note from build_info")[0][0] == lines[0].removeprefix(
        "eros-volume: warning: "
    )
    assert rows(db, "select count(distinct as_of), count(*) from volume_config_history") == [
        (1, 52)
    ]
    assert rows(db, "select count(*) from volume_config_changes where change_type = 'new'") == [
        (52,)
    ]


def test_build_info_records_the_build(sequence: Path) -> None:
    raw = sequence.with_name("raw.db")
    stat = raw.stat()
    modified = datetime.fromtimestamp(stat.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    (info,) = rows(
        sequence,
        "select build_id, as_of, raw_source, raw_fingerprint, var_overrides,"
        " eros_volume_version, dbt_version, duckdb_version from build_info",
    )
    build_id, as_of, *rest = info
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", build_id)
    assert rows(
        sequence,
        f"select distinct build_id from volume_config_history"
        f" where as_of = timestamp '{SEQUENCE[-1][0]}'",
    ) == [(build_id,)]
    assert str(as_of) == SEQUENCE[-1][0]
    assert rest == [
        str(raw),
        f"size={stat.st_size} mtime={modified}",
        "{}",
        metadata.version("eros-volume"),
        metadata.version("dbt-core"),
        "v" + duckdb.__version__,
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
@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("stability_max_step=1.5", "--set stability_max_step=1.5: not an integer"),
        ("no_such_var=1", "--set no_such_var: unknown var"),
    ],
)
def test_bad_set_is_refused_in_one_line_before_any_work(
    command: str, setting: str, message: str, tmp_path: Path
) -> None:
    db = tmp_path / "eros_volume.duckdb"
    result = cli(command, "--set", setting, db=db)
    assert result.returncode == 2
    assert result.stderr.startswith(f"eros-volume: error: {message}")
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_what_if_tiers_file_equals_the_oracle_with_those_tiers(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`what-if --tiers FILE.csv --json` with High's base revenue 4 -> 5 (paid and free) on the
    demo build: the creators that change and their new values are those of the independent
    oracle (python/tests/oracle.py) given the same tier table; the serving build is untouched."""
    serving = tmp_path / "eros_volume.duckdb"
    shutil.copy(demo_db, serving)
    before = digest(serving)
    seed = (project_dir() / "seeds" / "volume_tiers.csv").read_text()
    tiers = tmp_path / "tiers.csv"
    tiers.write_text(
        seed.replace("High,paid,5000,4,", "High,paid,5000,5,").replace(
            "High,free,5000,4,", "High,free,5000,5,"
        )
    )
    result = cli("what-if", "--tiers", str(tiers), "--json", db=serving)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    tables = {name: demo_rows(name) for name in DEMO_TABLES}
    as_of = datetime.fromisoformat(DEMO_AS_OF)
    old = expected_configs(tables, as_of)
    monkeypatch.setitem(oracle.TIER_BASES, "High", (5, 3, 2, 3, 2, 4))
    new = expected_configs(tables, as_of)
    expected = {
        creator: tuple(new[creator][f] for f in COMPARED)
        for creator in new
        if any(new[creator][f] != old[creator][f] for f in COMPARED)
    }
    assert {
        c["creator_id"]: tuple(c[f"new_{f}"] for f in COMPARED) for c in report["changes"]
    } == expected
    assert report["changed"] == len(expected) == 10  # every High creator (none at a cap)
    assert report["changed_by_level"] == {"High": 10}
    assert digest(serving) == before
    bad = tmp_path / "bad.csv"
    bad.write_text("volume_level,min_fans\nHigh,5000\n")
    refused = cli("what-if", "--tiers", str(bad), db=serving)
    assert refused.returncode != 0 and refused.stderr.count("\n") == 1
    assert f"--tiers {bad}: columns must be volume_level, page_type, min_fans" in refused.stderr
    assert digest(serving) == before


def test_what_if_with_the_stability_rule_equals_a_real_rebuild(serving: Path) -> None:
    """Both compare with the serving build's history without its own publication: the what-if's
    changed creators are exactly those the rebuild changes, with the same values and flags."""
    query = f"select creator_id, {', '.join(COMPARED)}, data_quality_flags from volume_config"
    old = {r[0]: r[1:] for r in rows(serving, query)}
    result = what_if(STABILITY, db=serving)
    build(
        db=serving,
        raw=serving.with_name("raw.db"),
        as_of=SEQUENCE[-1][0],
        settings=STABILITY,
        echo=False,
    )
    rebuilt = {r[0]: r[1:] for r in rows(serving, query)}
    changed = {c: v for c, v in rebuilt.items() if v[:-1] != old[c][:-1]}
    assert {
        c["creator_id"]: (*(c[f"new_{f}"] for f in COMPARED), c["data_quality_flags"])
        for c in result["changes"]
    } == changed
    flagged = {
        c: [f for f in v[-1] if f.startswith("stability_")]
        for c, v in rebuilt.items()
        if any(f.startswith("stability_") for f in v[-1])
    }
    assert flagged == {
        "ava_sinclair": ["stability_held_level"],
        "elena_ruiz": ["stability_held_level"],
        "emma_whitfield": ["stability_held_level"],
        "grace_bennett": ["stability_step_limited"],
        "nora_delgado": ["stability_held_level"],
        "remi_caldwell": ["stability_held_level"],
        "willow_hayes": ["stability_held_level"],
    }
    # Against the plain build it replaces, the rule changes exactly the creators it flags.
    assert result["changed"] == len(changed) == 7
    assert set(changed) == set(flagged)


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

"""A change-control demo (SPEC 9): the bundled demo built at several as_of dates, its fan counts
drifting between builds, so that `eros-volume changes` and the dashboard show real movement.

Each step sets every creator's `current_active_fans` in a demo SQLite database to its demo value
times the step's factor (null and negative fan counts stay as they are) and builds with the step's
as_of into the same build file, which carries the published history forward. Run it with and
without the stability rule (`--set stability_tier_buffer_pct=5 --set stability_max_step=1`) to
compare (scripts/demo_changes.py prints both).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .build import build, remove_database
from .demo import write_demo_db
from .store import fetch_dicts, open_read_only

# (as_of, fan factor): one day apart; growth and a dip move creators near the tier boundaries
# (4,999 / 5,000 / 14,999 / 15,000 ... fans in the demo) across them and back.
STEPS = (
    ("2025-12-13 12:00:00", 1.00),
    ("2025-12-14 12:00:00", 1.03),
    ("2025-12-15 12:00:00", 0.98),
    ("2025-12-16 12:00:00", 1.06),
)


def set_fan_factor(raw: Path, demo_fans: dict[str, int], factor: float) -> None:
    con = sqlite3.connect(raw)
    try:
        with con:
            con.executemany(
                "update creators set current_active_fans = ? where creator_id = ?",
                [(round(fans * factor), creator) for creator, fans in demo_fans.items()],
            )
    finally:
        con.close()


def demo_fan_counts(raw: Path) -> dict[str, int]:
    con = sqlite3.connect(raw)
    try:
        rows = con.execute(
            "select creator_id, current_active_fans from creators"
            " where current_active_fans >= 0"
        ).fetchall()
    finally:
        con.close()
    return {creator: int(fans) for creator, fans in rows}


def change_counts(db: Path) -> list[dict[str, Any]]:
    """Per publication: its as_of and its new / changed rows, and the stability flags."""
    con = open_read_only(db)
    try:
        return fetch_dicts(
            con,
            "select history.as_of,"
            " count(distinct changes.creator_id) filter (where changes.change_type = 'new')"
            " as new,"
            " count(distinct changes.creator_id) filter (where changes.change_type = 'changed')"
            " as changed,"
            " count(distinct history.creator_id) filter"
            " (where list_contains(history.data_quality_flags, 'stability_held_level')) as held,"
            " count(distinct history.creator_id) filter"
            " (where list_contains(history.data_quality_flags, 'stability_step_limited'))"
            " as limited"
            " from volume_config_history as history"
            " left join volume_config_changes as changes"
            " on history.as_of = changes.as_of and history.creator_id = changes.creator_id"
            " group by history.as_of order by history.as_of",
        )
    finally:
        con.close()


def run_demo(
    workdir: str | Path,
    settings: dict[str, Any] | None = None,
    steps: tuple[tuple[str, float], ...] = STEPS,
    echo: bool = False,
) -> Path:
    """Build the demo at each step into ``workdir``/eros_volume.duckdb (a new history); return
    the build file."""
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    raw = work / "raw.db"
    write_demo_db(raw, force=True)
    fans = demo_fan_counts(raw)
    db = work / "eros_volume.duckdb"
    remove_database(db)
    for as_of, factor in steps:
        set_fan_factor(raw, fans, factor)
        build(db=db, raw=raw, as_of=as_of, settings=settings, echo=echo)
    return db

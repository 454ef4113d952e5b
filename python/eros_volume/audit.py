"""Retiring volume_assignments: the active legacy rows against the dynamic result.

Everything comes from the ``volume_assignment_audit`` mart (one row per active legacy assignment,
with the legacy and the dynamic level and per-day values and whether each differs); this module
only counts and lists its rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .store import default_db_path, fetch_dicts, read_connection

COUNTS_SQL = """
select
    count(*) as active_assignments,
    count(distinct creator_id) as creators,
    count(*) filter (where any_differs) as disagreeing,
    count(*) filter (where level_differs) as volume_level_differs,
    count(*) filter (where ppv_differs) as ppv_per_day_differs,
    count(*) filter (where bump_differs) as bump_per_day_differs,
    count(*) filter (where ppv_differs or bump_differs) as per_day_differs,
    count(*) filter (where not creator_exists) as creator_missing
from volume_assignment_audit
"""

ROWS_SQL = """
select
    assignment_id,
    creator_id,
    page_name,
    legacy_volume_level,
    dynamic_volume_level,
    legacy_ppv_per_day,
    dynamic_ppv_per_day,
    legacy_bump_per_day,
    dynamic_bump_per_day,
    legacy_assigned_at,
    data_source,
    creator_exists,
    level_differs,
    ppv_differs,
    bump_differs
from volume_assignment_audit
where any_differs
order by creator_id, assignment_id
"""


def audit(db: str | Path | None = None) -> dict[str, Any]:
    """Counts of active legacy assignments that disagree with the dynamic result, by level and by
    per-day values, and the disagreeing rows (one per assignment)."""
    path = Path(db).expanduser().resolve() if db else default_db_path()
    with read_connection(path) as con:
        counts = fetch_dicts(con, COUNTS_SQL)[0]
        rows = fetch_dicts(con, ROWS_SQL)
    for row in rows:
        row["differs"] = [
            name
            for name, flag in (
                ("volume_level", row.pop("level_differs")),
                ("ppv_per_day", row.pop("ppv_differs")),
                ("bump_per_day", row.pop("bump_differs")),
            )
            if flag
        ]
    return {"counts": counts, "disagreeing": rows}


AUDIT_COLUMNS = (
    ("creator_id", "creator"),
    ("legacy_volume_level", "legacy level"),
    ("dynamic_volume_level", "dynamic level"),
    ("legacy_ppv_per_day", "legacy ppv"),
    ("dynamic_ppv_per_day", "dynamic ppv"),
    ("legacy_bump_per_day", "legacy bump"),
    ("dynamic_bump_per_day", "dynamic bump"),
    ("data_source", "dynamic source"),
    ("differs", "differs"),
)


def render(result: dict[str, Any], table: Any) -> str:
    """Plain text: the counts, then the disagreeing creators (``table`` is the CLI's renderer)."""
    counts = result["counts"]
    lines = [
        f"active legacy assignments (volume_assignments, is_active = 1): "
        f"{counts['active_assignments']} for {counts['creators']} creators",
        f"disagree with the dynamic result (volume_config): {counts['disagreeing']}",
        f"  by volume_level: {counts['volume_level_differs']}",
        f"  by per-day values: {counts['per_day_differs']} "
        f"(ppv_per_day {counts['ppv_per_day_differs']}, "
        f"bump_per_day {counts['bump_per_day_differs']})",
    ]
    if counts["creator_missing"]:
        lines.append(f"  creator not in creators: {counts['creator_missing']}")
    if result["disagreeing"]:
        lines += ["", table(result["disagreeing"], AUDIT_COLUMNS)]
    return "\n".join(lines)

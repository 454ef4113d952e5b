"""What-if (SPEC 9): the serving build recomputed with changed rules, never replacing it.

The serving build file holds its inputs: the staged raw snapshot its models read, its `as_of`,
its rule overrides (`build_info`) and its published history. A what-if copies that file to a
temporary one beside it, optionally loads another tier table into it, and runs dbt on the copy
(`dbt run`: the models downstream of staging, not the data tests) with the serving build's
`as_of` and overrides plus the new ones, and the serving file as the previous build (so the
stability rule compares with the same previous publications as a real rebuild would). The
report compares the two files' volume_config; the temporary file is removed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from . import change_control
from .build import (
    BuildError,
    BuildInputError,
    dbt_env,
    remove_database,
    run_dbt,
    settings_vars,
)
from .store import default_db_path, fetch_dicts, open_read_only

# The published fields a what-if compares (those volume_config_changes compares).
COMPARED = (
    "volume_level",
    "revenue_items_per_day",
    "engagement_items_per_day",
    "retention_items_per_day",
    "followup_per_day",
    "bundle_per_week",
    "game_per_week",
)
ITEMS = ("revenue_items_per_day", "engagement_items_per_day", "retention_items_per_day")
# The models downstream of staging (the snapshot); no seeds, no tests (some data tests read the raw
# tables themselves, which a what-if does not have). One thread: the copy's tables already exist,
# and dbt replacing one (rename, drop) while another thread reads the catalog can fail.
SELECTION = ["--exclude", "path:models/staging", "--threads", "1"]


def serving_inputs(db_path: Path) -> dict[str, Any]:
    """The serving build's as_of and var overrides, from its build_info."""
    if not db_path.exists():
        raise BuildInputError(f"no serving build at {db_path}: run `eros-volume build` first")
    try:
        con = open_read_only(db_path)
        try:
            row = con.execute("select as_of, var_overrides from build_info").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        raise BuildInputError(
            f"{db_path} has no build_info (rebuild it with this version): "
            f"{str(exc).splitlines()[0]}"
        ) from exc
    overrides = json.loads(row[1] or "{}")
    overrides["as_of"] = row[0].strftime("%Y-%m-%d %H:%M:%S")
    return overrides


def load_tiers(con: duckdb.DuckDBPyConnection, tiers: Path) -> None:
    """Replace the copy's volume_tiers with the CSV's rows, in the serving table's columns and
    types (a missing or extra column is an error)."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_name = 'volume_tiers' and table_schema = 'main' order by ordinal_position"
    ).fetchall()
    header = con.execute(
        "select * from read_csv($path, header = true, all_varchar = true) limit 0",
        {"path": str(tiers)},
    ).description
    found = [column[0] for column in header]
    wanted = [name for name, _ in columns]
    if sorted(found) != sorted(wanted):
        raise BuildInputError(f"--tiers {tiers}: columns must be {', '.join(wanted)}")
    types = {name: kind for name, kind in columns}
    con.execute(
        "create or replace table main.volume_tiers as select * from read_csv($path,"
        " header = true, columns = $types)",
        {"path": str(tiers), "types": types},
    )


def prepare_copy(serving: Path, copy: Path, tiers: Path | None) -> None:
    shutil.copyfile(serving, copy)
    if tiers is None:
        return
    if not tiers.is_file():
        raise BuildInputError(f"--tiers {tiers}: no such file")
    con = duckdb.connect(str(copy))
    try:
        load_tiers(con, tiers)
    except duckdb.Error as exc:
        raise BuildInputError(f"--tiers {tiers}: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()


def compare(serving: Path, result: Path) -> dict[str, Any]:
    """How many creators change and how (by level), each change, and sends per day."""
    con = duckdb.connect(":memory:")
    try:
        for alias, path in (("before", serving), ("after", result)):
            quoted = str(path).replace("'", "''")
            con.execute(f"attach '{quoted}' as {alias} (read_only)")
        differs = " or ".join(f"b.{field} != a.{field}" for field in COMPARED)
        fields = ", ".join(f"b.{f} as old_{f}, a.{f} as new_{f}" for f in COMPARED)
        changes = fetch_dicts(
            con,
            f"select a.creator_id, a.is_active, {fields}, a.data_quality_flags,"
            " a.explanation from before.main.volume_config as b"
            " join after.main.volume_config as a using (creator_id)"
            f" where {differs} order by a.creator_id",
        )
        sends = " + ".join(ITEMS)
        totals = con.execute(
            f"select (select sum({sends}) from before.main.volume_config where is_active),"
            f" (select sum({sends}) from after.main.volume_config where is_active)"
        ).fetchone()
    finally:
        con.close()
    by_level: dict[str, int] = {}
    for change in changes:
        by_level[change["new_volume_level"]] = by_level.get(change["new_volume_level"], 0) + 1
    return {
        "changed": len(changes),
        "changed_by_level": dict(sorted(by_level.items())),
        "active_sends_per_day": {"before": int(totals[0] or 0), "after": int(totals[1] or 0)},
        "changes": changes,
    }


def what_if(
    settings: dict[str, Any],
    tiers: str | Path | None = None,
    db: str | Path | None = None,
    echo: bool = False,
) -> dict[str, Any]:
    """Recompute the serving build with ``settings`` (checked rule vars) and maybe another tier
    table, in a temporary file; report the difference. The serving build is never touched."""
    serving = Path(db).expanduser().resolve() if db else default_db_path()
    inputs = serving_inputs(serving)
    as_of = inputs["as_of"]
    values = inputs | settings
    tiers_path = Path(tiers).expanduser().resolve() if tiers else None
    copy = serving.with_name(f"{serving.name}.whatif-{os.getpid()}")
    remove_database(copy)
    try:
        prepare_copy(serving, copy, tiers_path)
        env = dbt_env(copy, None, values.pop("as_of")) | change_control.build_env(
            serving, None, change_control.previous_build_problem(serving)
        )
        arguments = ["run", *SELECTION, *settings_vars(values)]
        run = run_dbt(arguments, env, output="verbose" if echo else "quiet")
        if not run.ok:
            raise BuildError(f"what-if failed, {serving} unchanged: {run.failure()}")
        report = compare(serving, copy)
    finally:
        remove_database(copy)
    return {"as_of": as_of, "settings": settings, **report}

"""Change control around a build (SPEC 9): what a build tells dbt about the build file it replaces
and about its raw source, and the one line a build prints when the history starts anew.

The rules (carrying, pruning, comparing, the stability rule) are dbt models; this module only
names the previous file when it opens as a DuckDB build file with a history, and reads back the
build's `build_info`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from importlib import metadata
from pathlib import Path

import duckdb

from .paths import project_dir
from .store import open_read_only

PREVIOUS_ENV = "EROS_PREVIOUS_DB"
PROBLEM_ENV = "EROS_PREVIOUS_DB_PROBLEM"
FINGERPRINT_ENV = "EROS_RAW_FINGERPRINT"
VERSION_ENV = "EROS_VOLUME_VERSION"
CARRIED_TABLES = ("volume_config_history", "volume_config_changes")
SEEDS_ENV = "EROS_SEEDS_FINGERPRINT"
# Read by the models only when nodes run, so a new value keeps a kept dbt parse (serve) valid.
RUN_TIME_ENV = (PROBLEM_ENV, FINGERPRINT_ENV, VERSION_ENV, SEEDS_ENV)
# A build that starts from a copy of a build file whose seeds are this project's (the same
# seeds_fingerprint) loads no seed and runs no seed test: the copy holds them as they are.
SKIP_SEEDS = ["--exclude", "resource_type:seed"]


def previous_build_problem(db_path: Path) -> str | None:
    """Why the file at ``db_path`` has no history to carry forward, or None when it has one."""
    return inspect_previous(db_path)[0]


def inspect_previous(db_path: Path) -> tuple[str | None, str | None]:
    """previous_build_problem of the file at ``db_path``, and the seeds_fingerprint its
    build_info records (None when it has none), read in one open."""
    if not db_path.exists():
        return f"no previous build file at {db_path}", None
    try:
        con = open_read_only(db_path)
    except duckdb.Error as exc:
        return f"{db_path} is not a readable DuckDB file ({str(exc).splitlines()[0]})", None
    try:
        found = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = current_database() and table_schema = 'main'"
            ).fetchall()
        }
        recorded = None
        if "build_info" in found:
            try:
                row = con.execute("select seeds_fingerprint from build_info").fetchone()
                recorded = row[0] if row else None
            except duckdb.BinderException:  # a build file older than the column
                pass
    finally:
        con.close()
    missing = [name for name in CARRIED_TABLES if name not in found]
    if missing:
        return f"{db_path} has no {' or '.join(missing)}", recorded
    return None, recorded


def prepare_build(
    previous: Path, temporary: Path, raw: Path | str | None
) -> tuple[dict[str, str], list[str]]:
    """What `build` and each `serve` refresh do before dbt runs: start the temporary build file
    as a copy of the one it replaces when that has a readable history (the history tables then
    grow in place: incremental models delete what is no longer kept and append this build's
    publication; the previous file is only read). Returns the environment entries for dbt
    (build_env) and the extra dbt arguments: SKIP_SEEDS when the copy's build_info records this
    build's seeds_fingerprint."""
    problem, recorded = inspect_previous(previous)
    if problem is None:
        shutil.copyfile(previous, temporary)
    seeds = seeds_fingerprint(raw)
    skip = SKIP_SEEDS if problem is None and recorded == seeds else []
    return build_env(previous, raw, problem, seeds), skip


def seeds_fingerprint(raw: Path | str | None) -> str:
    """What the seed tables of a build depend on: every file under seeds/, dbt_project.yml (the
    seeds' configuration), the demo or raw mode (the demo raw tables are seeds) and the
    versions (how dbt loads a CSV)."""
    root = project_dir()
    digest = hashlib.sha256(f"{'raw' if raw else 'demo'}\0{package_version()}\0".encode())
    digest.update(metadata.version("dbt-core").encode() + metadata.version("duckdb").encode())
    for path in [root / "dbt_project.yml", *sorted((root / "seeds").rglob("*"))]:
        if path.is_file():
            digest.update(f"\0{path.relative_to(root)}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def raw_fingerprint(raw: Path | str | None) -> str:
    """Size and modification time (UTC) of the raw database file; empty for the demo data and a
    PostgreSQL URL (no file)."""
    if not isinstance(raw, Path):
        return ""
    stat = raw.stat()
    modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"size={stat.st_size} mtime={modified}"


def package_version() -> str:
    try:
        return metadata.version("eros-volume")
    except metadata.PackageNotFoundError:
        return ""


def build_env(
    previous: Path, raw: Path | str | None, problem: str | None, seeds: str = ""
) -> dict[str, str]:
    """The environment entries a build adds for dbt: the previous build file when it has a
    readable history (``problem`` None, from previous_build_problem), else why not, the raw
    source's fingerprint, the package version, the seeds' fingerprint (seeds_fingerprint)."""
    return {
        PREVIOUS_ENV: "" if problem else str(previous),
        PROBLEM_ENV: problem or "",
        FINGERPRINT_ENV: raw_fingerprint(raw),
        VERSION_ENV: package_version(),
        SEEDS_ENV: seeds,
    }


def history_note(db_path: Path) -> str | None:
    """The build's one line on its history (None when the history carried forward)."""
    con = open_read_only(db_path)
    try:
        return read_history_note(con)
    finally:
        con.close()


def read_history_note(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select history_note from build_info").fetchone()
    return row[0] if row else None

"""The bundled demo data (seeds/demo) as a SQLite database in the original schema.

``eros-volume demo-db PATH`` writes it, so that ``track`` and every ``--raw`` command can be tried
on a real operational-format file. The demo is dated around its pinned as_of (the dbt var
``demo_as_of``, 2025-12-16 12:00:00): use ``--as-of`` with that moment, or write the database with
``shift_days`` (the CLI's ``--shift-to-today``) to move every date and timestamp by the same whole
number of days.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from . import raw_schema
from .build import BuildError, parse_timestamp
from .paths import project_dir

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


def demo_dir() -> Path:
    return project_dir() / "seeds" / "demo"


def demo_as_of() -> str:
    """The demo's pinned moment: the dbt var demo_as_of of dbt_project.yml."""
    import yaml

    config = yaml.safe_load((project_dir() / "dbt_project.yml").read_text())
    return parse_timestamp(str(config["vars"]["demo_as_of"]), "demo_as_of")


def days_to_today(today: dt.date | None = None) -> int:
    """Whole days from the demo's as_of day to ``today`` (default: the local date)."""
    demo_day = dt.datetime.strptime(demo_as_of(), "%Y-%m-%d %H:%M:%S").date()
    return ((today or dt.date.today()) - demo_day).days


def shift(value: str | None, days: int) -> str | None:
    """A date or timestamp text moved by ``days``; anything else unchanged."""
    if not value or not days:
        return value
    if _TIMESTAMP.fullmatch(value):
        moved = dt.datetime.fromisoformat(value.replace("T", " ")) + dt.timedelta(days=days)
        return moved.strftime("%Y-%m-%dT%H:%M:%S" if "T" in value else "%Y-%m-%d %H:%M:%S")
    if _DATE.fullmatch(value):
        return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()
    return value


def demo_rows(table: str, days: int = 0) -> list[dict[str, str | None]]:
    """A demo seed's rows as text (empty fields None), dates moved by ``days``."""
    with (demo_dir() / f"{table}.csv").open(newline="") as handle:
        return [
            {name: shift(value if value != "" else None, days) for name, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def write_demo_db(path: str | Path, force: bool = False, shift_days: int = 0) -> dict[str, int]:
    """Write the demo tables into a new SQLite file at ``path`` (raw_schema.sql), or into the
    PostgreSQL database of a ``postgresql://`` URL; refuse to replace an existing file (or raw
    tables) unless ``force``. Returns rows per table."""
    from .postgres import is_postgres_url, write_raw_postgres

    if is_postgres_url(path):
        tables = {table: demo_rows(table, shift_days) for table in raw_schema.TABLES}
        return write_raw_postgres(str(path), tables, replace=force)
    target = Path(path).expanduser()
    if target.exists() and not force:
        raise BuildError(f"{target} exists; use --force to replace it")
    if target.exists() and not target.is_file():
        raise BuildError(f"{target} is not a file")
    if not target.parent.is_dir():
        raise BuildError(f"no such directory: {target.parent}")
    temporary = target.with_name(f".{target.name}.writing-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        tables = {table: demo_rows(table, shift_days) for table in raw_schema.TABLES}
        counts = write_raw_sqlite(temporary, tables)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return counts


def write_raw_sqlite(path: str | Path, tables: Mapping[str, list[dict]]) -> dict[str, int]:
    """Create the original schema (raw_schema.sql) in the SQLite file at ``path`` and insert the
    rows of ``tables`` (table -> rows as dicts), in one transaction. Returns rows per table."""
    con = sqlite3.connect(path)
    try:
        with con:
            for table in raw_schema.TABLES:
                con.execute(raw_schema.create_table(table, "sqlite")[0])
            for statement in raw_schema.create_indexes("sqlite"):
                con.execute(statement)
            for table, rows in tables.items():
                if not rows:
                    continue
                columns = list(rows[0])
                marks = ", ".join("?" for _ in columns)
                con.executemany(
                    f"insert into {table} ({', '.join(columns)}) values ({marks})",
                    [[row.get(name) for name in columns] for row in rows],
                )
    finally:
        con.close()
    return {table: len(rows) for table, rows in tables.items()}

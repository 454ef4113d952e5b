"""Shared fixtures: one demo build per test session, and a SQLite raw database in the original
schema written from the demo seeds."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from eros_volume.build import build
from eros_volume.extensions import project_root
from eros_volume.generate import RAW_SCHEMA_PATH as RAW_SCHEMA
from eros_volume.generate import TABLES as DEMO_TABLES

ROOT = project_root()
DEMO_DIR = ROOT / "seeds" / "demo"
DEMO_AS_OF = "2025-12-16 12:00:00"


def demo_rows(table: str) -> list[dict[str, str | None]]:
    """A demo seed's rows as read from the CSV (empty fields are None)."""
    with (DEMO_DIR / f"{table}.csv").open(newline="") as handle:
        rows = csv.DictReader(handle)
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in rows]


def write_sqlite(path: Path, tables: dict[str, list[dict]] | None = None) -> Path:
    """A SQLite database with the original CREATE TABLE statements, filled with ``tables``
    (default: the demo seeds)."""
    tables = tables if tables is not None else {name: demo_rows(name) for name in DEMO_TABLES}
    with sqlite3.connect(path) as con:
        con.executescript(RAW_SCHEMA.read_text())
        for name, rows in tables.items():
            if not rows:
                continue
            columns = list(rows[0])
            marks = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into {name} ({', '.join(columns)}) values ({marks})",
                [[row.get(c) for c in columns] for row in rows],
            )
    con.close()
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data built once per session (as_of pinned by the demo)."""
    path = tmp_path_factory.mktemp("demo") / "eros_volume.duckdb"
    build(db=path, echo=False)
    return path


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo seeds as a SQLite database in the original schema."""
    return write_sqlite(tmp_path_factory.mktemp("raw") / "eros.db")

"""Shared fixtures: one demo build per test session, and a SQLite raw database in the original
schema written from the demo seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from eros_volume.build import build
from eros_volume.demo import demo_rows, write_raw_sqlite
from eros_volume.paths import project_dir
from eros_volume.raw_schema import TABLES as DEMO_TABLES

ROOT = project_dir()
DEMO_DIR = ROOT / "seeds" / "demo"
DEMO_AS_OF = "2025-12-16 12:00:00"


def write_sqlite(path: Path, tables: dict[str, list[dict]] | None = None) -> Path:
    """A SQLite database with the original CREATE TABLE statements, filled with ``tables``
    (default: the demo seeds)."""
    write_raw_sqlite(path, tables if tables is not None else {n: demo_rows(n) for n in DEMO_TABLES})
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

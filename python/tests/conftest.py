"""Shared fixtures: one demo build per test session, a SQLite raw database in the original
schema written from the demo seeds, and a private PostgreSQL cluster."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pgcluster import REQUIRE_ENV, Cluster, PostgresUnavailable

from eros_volume.build import build
from eros_volume.demo import demo_rows, write_raw_sqlite
from eros_volume.paths import project_dir
from eros_volume.raw_schema import TABLES as DEMO_TABLES

ROOT = project_dir()
DEMO_DIR = ROOT / "seeds" / "demo"
DEMO_AS_OF = "2025-12-16 12:00:00"
TRACKING = "volume_performance_tracking"
SCRIPT = Path(sys.executable).with_name("eros-volume")
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "eros_volume.cli"]


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """The eros-volume console script with ``args`` (EROS_RAW_DB unset, ``env`` added)."""
    environment = {**os.environ, **(env or {})}
    environment.pop("EROS_RAW_DB", None)
    return subprocess.run(
        [*COMMAND, *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )


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


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster for the session. Without PostgreSQL binaries the tests that
    need it skip, unless $EROS_REQUIRE_POSTGRES is 1 (CI): then they fail."""
    cluster = None
    try:
        cluster = Cluster()
        cluster.start()
    except (PostgresUnavailable, OSError, KeyError) as exc:
        if cluster is not None:
            cluster.stop()
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but did not start: {exc}")
        pytest.skip(f"no PostgreSQL here: {exc}")
    yield cluster
    cluster.stop()


def made_row(creator: str, day: str = DEMO_AS_OF[:10], saturation: float = 55.0) -> dict[str, Any]:
    """A tracking row as the mart makes it, by hand (no dbt)."""
    from eros_volume.track import COLUMNS

    row: dict[str, Any] = dict.fromkeys(COLUMNS, 1.5)
    row.update(
        creator_id=creator,
        tracking_date=day,
        tracking_period="14d",
        total_messages_sent=7,
        recommended_volume_delta=-1,
        saturation_score=saturation,
        calculated_at=f"{day} 12:00:00",
    )
    return row

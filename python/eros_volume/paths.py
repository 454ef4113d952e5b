"""Where things are: the dbt project, dbt's working folders, the DuckDB extension folder and the
default build file, for a source checkout (editable install) and for an installed wheel.

A wheel carries the dbt project as package data in ``eros_volume/_project``; a checkout has it at
the repository root. Nothing is ever written into the installed package: dbt's target and log
folders are a fresh folder per run in the user's cache folder, the extension folder of an
installed package is in the user's cache folder, and its default build file is
``build/eros_volume.duckdb`` in the working directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_PROJECT = PACKAGE_DIR / "_project"
DB_ENV = "EROS_VOLUME_DB"
EXTENSION_DIR_ENV = "EROS_EXTENSION_DIR"
DEFAULT_DB = Path("build") / "eros_volume.duckdb"


def project_dir() -> Path:
    """The folder holding ``dbt_project.yml``: the copy bundled in an installed package, else the
    checkout this module lives in."""
    if (BUNDLED_PROJECT / "dbt_project.yml").is_file():
        return BUNDLED_PROJECT
    for parent in PACKAGE_DIR.parents:
        if (parent / "dbt_project.yml").is_file():
            return parent
    raise FileNotFoundError(
        f"no dbt project: neither {BUNDLED_PROJECT} nor a folder above {PACKAGE_DIR} holds "
        "dbt_project.yml (reinstall eros-volume)"
    )


def is_checkout() -> bool:
    """True when the dbt project is a source checkout (editable install), not package data."""
    return project_dir() != BUNDLED_PROJECT


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/eros-volume`` (default ``~/.cache/eros-volume``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "eros-volume"


_RUN_IDS = itertools.count()


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a zombie or another user's process counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def dbt_work_dir() -> Iterator[Path]:
    """A fresh folder for one dbt run (its target/ and logs/ go inside), ``runs/<pid>-<n>`` in
    :func:`cache_dir`, removed afterwards: runs into different files can overlap without sharing
    dbt's working files, nothing is written into the project (which may be a read-only installed
    package), and the folders of a process killed outright are removed by the next run."""
    runs = cache_dir() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for old in runs.iterdir():
        pid = old.name.split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    while True:
        work = runs / f"{os.getpid()}-{next(_RUN_IDS)}"
        with contextlib.suppress(FileExistsError):
            work.mkdir()
            break
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


KEPT_STATE_DIRS = 8
STATE_IDLE_SECONDS = 3600.0


def dbt_state_dir(db_path: Path, raw: Path | None) -> Path:
    """dbt's target folder for the builds of ``db_path`` from ``raw``, ``state/<key>`` in
    :func:`cache_dir`: the same folder every time, so that dbt's saved parse
    (``partial_parse.msgpack``) holds from one build to the next. Builds of one file never overlap
    (the build lock). Using a folder touches it (serve touches its own while it runs); folders
    beyond the newest few that nobody touched for an hour are removed."""
    key = hashlib.sha256(f"{db_path}\0{raw or ''}".encode()).hexdigest()[:16]
    states = cache_dir() / "state"
    chosen = states / key
    chosen.mkdir(parents=True, exist_ok=True)
    os.utime(chosen)
    # Another build may remove a folder while this one looks: a folder gone is skipped.
    ages = {path: modified_ns(path) for path in states.iterdir()}
    newest = sorted((path for path in ages if ages[path] is not None), key=ages.get, reverse=True)
    for old in newest[KEPT_STATE_DIRS:]:
        if time.time_ns() - ages[old] > STATE_IDLE_SECONDS * 1e9:
            shutil.rmtree(old, ignore_errors=True)
    return chosen


def modified_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def kept_logs_dir() -> Path:
    """Where the full logs of failed dbt runs are kept (the newest few)."""
    return cache_dir() / "logs"


def default_extension_dir() -> Path:
    """``$EROS_EXTENSION_DIR`` if set; else ``.duckdb_extensions`` in a checkout, or
    ``duckdb_extensions`` in :func:`cache_dir` for an installed package."""
    env = os.environ.get(EXTENSION_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    if is_checkout():
        return project_dir() / ".duckdb_extensions"
    return cache_dir() / "duckdb_extensions"


def default_db_path() -> Path:
    """``$EROS_VOLUME_DB`` if set; else ``build/eros_volume.duckdb`` under the checkout, or under
    the working directory for an installed package."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser().resolve()
    base = project_dir() if is_checkout() else Path.cwd()
    return (base / DEFAULT_DB).resolve()

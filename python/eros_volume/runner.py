"""dbt inside our own long-lived process (`eros-volume serve`), its project parsed once.

dbt's programmatic runner (``dbtRunner(manifest=...)``) keeps the parsed project between runs,
so a refresh pays neither dbt's import nor its parse. Only serve uses this module: a library
caller's process never runs dbt (``build`` runs it in a subprocess).

The kept manifest is parsed again when the project's files or the environment that shapes the
parse (build file path, raw database path) change.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extensions import project_root

# as_of reaches dbt through the environment, read only when nodes run (macros/utils/as_of.sql):
# a --vars that changes every build would make dbt parse the whole project every time.
AS_OF_ENV = "EROS_AS_OF"
# What a parse depends on besides the project files: the profile (the build file's path names
# the database of every node), the target (raw or demo) and the raw database.
PARSE_ENV = ("EROS_VOLUME_DB", "EROS_RAW_DB", "EROS_EXTENSION_DIR")
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "eros-volume"


def state_dir(db_path: Path, raw: str) -> Path:
    """dbt's target folder for builds of ``db_path`` from ``raw``: the same one every time, so
    dbt's saved parse (partial_parse.msgpack) holds from one build to the next."""
    key = hashlib.sha256(f"{db_path}\0{raw}".encode()).hexdigest()[:16]
    return cache_dir() / "dbt" / key


@dataclass
class DbtRun:
    """One dbt invocation: success, and dbt's info-or-worse log lines (for the failure reason)."""

    success: bool
    lines: list[str] = field(default_factory=list)
    interrupted: bool = False


def project_signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of every project file: a change means a new parse."""
    files = [root / name for name in PROJECT_FILES]
    for folder in PROJECT_FOLDERS:
        files += sorted(path for path in (root / folder).rglob("*") if path.is_file())
    return tuple(
        (str(path), stat.st_size, stat.st_mtime_ns)
        for path in files
        if path.exists() and (stat := path.stat())
    )


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """os.environ with ``values`` set (dbt reads its env_var()s from it), restored afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class KeptDbt:
    """dbt in this process with its parsed project kept; one invocation at a time."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.root = project_root()
        self.manifest: Any = None
        self.parsed_for: tuple = ()

    def common_args(self) -> list[str]:
        return [
            "--project-dir", str(self.root),
            "--profiles-dir", str(self.root),
            "--target-path", str(self.state_dir / "target"),
            "--log-path", str(self.state_dir / "logs"),
            "--log-level-file", "none",
            "--no-write-json",
            "--quiet",
        ]  # fmt: skip

    def invoke(self, args: list[str], env: Mapping[str, str]) -> DbtRun:
        """Run ``dbt <args>`` with ``env`` set; parse first when needed."""
        from dbt.cli.main import dbtRunner

        run = DbtRun(success=False)

        def collect(event: Any) -> None:
            if event.info.level in ("info", "warn", "error") and event.info.msg:
                run.lines += str(event.info.msg).splitlines()

        with environment(env):
            key = (project_signature(self.root), *(env.get(name, "") for name in PARSE_ENV))
            if self.manifest is None or key != self.parsed_for:
                try:
                    parsed = dbtRunner(callbacks=[collect]).invoke(["parse", *self.common_args()])
                finally:
                    self.close()
                if not parsed.success:
                    run.interrupted = isinstance(parsed.exception, KeyboardInterrupt)
                    return run
                self.manifest, self.parsed_for = parsed.result, key
            try:
                result = dbtRunner(manifest=self.manifest, callbacks=[collect]).invoke(
                    [*args, *self.common_args()]
                )
            finally:
                self.close()
        run.success = bool(result.success)
        if not run.success and result.result is not None:
            run.lines += failed_results(result.result)
        run.interrupted = isinstance(result.exception, KeyboardInterrupt)
        if result.exception is not None and not run.interrupted:
            run.lines.append(f"Error: {str(result.exception).strip().splitlines()[0]}")
        return run

    def close(self) -> None:
        """Close dbt's connections in this process, and so its DuckDB files: after each run, as
        the build file is checkpointed, renamed and its temporary name reused. (dbt-duckdb keeps
        one DuckDB instance per process in DuckDBConnectionManager._ENV; dbt-duckdb is pinned.)"""
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager as Manager
        from dbt.adapters.factory import reset_adapters

        reset_adapters()
        with Manager._LOCK:
            if Manager._ENV is not None:
                Manager._ENV.close()
                Manager._ENV = None
        gc.collect()


def failed_results(result: Any) -> list[str]:
    """'FAIL <node>: <message>' for each failed or errored node of a run result."""
    lines = []
    for node in getattr(result, "results", []):
        if str(node.status) in ("fail", "error"):
            lines.append(f"{str(node.status).upper()} {node.node.name}: {node.message}")
    return lines

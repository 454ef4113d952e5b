"""dbt inside our own long-lived process (`eros-volume serve`), its project parsed once.

dbt's programmatic runner (``dbtRunner(manifest=...)``) keeps the parsed project between runs,
so a refresh pays neither dbt's import nor its parse. Only serve uses this module: a library
caller's process never runs dbt (``build`` runs it in a subprocess).

The kept manifest is parsed again when the project's files or the environment that shapes the
parse (build file path, raw database path) change.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import cache_dir, project_dir

# as_of reaches dbt through the environment, read only when nodes run (macros/utils/as_of.sql):
# a --vars that changes every build would make dbt parse the whole project every time.
AS_OF_ENV = "EROS_AS_OF"
# What a parse depends on besides the project files: the EROS_* environment (the build file's
# path names the database of every node; the raw database picks the target), except as_of.
PARSE_ENV_PREFIX = "EROS_"
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def state_dir(db_path: Path, raw: str) -> Path:
    """dbt's target folder for builds of ``db_path`` from ``raw``: the same one every time, so
    dbt's saved parse (partial_parse.msgpack) holds from one build to the next."""
    key = hashlib.sha256(f"{db_path}\0{raw}".encode()).hexdigest()[:16]
    return cache_dir() / "dbt" / key


# dbt's headers around the real message of an error.
HEADER = re.compile(
    r"^(Encountered an error:?|(Runtime|Compilation|Database|Parsing|Dependency) Error"
    r"( in .*)?|Failure in .*|Error)$"
)


def first_message(text: str) -> str:
    """The first line of a dbt error that is not one of dbt's headers or macro trace lines."""
    for line in text.splitlines():
        line = line.strip()
        if line and not HEADER.match(line) and not line.startswith(">"):
            return line
    return " ".join(text.split())


@dataclass
class DbtRun:
    """One dbt invocation: success, why not (one line), and whether SIGTERM/Ctrl-C stopped it."""

    success: bool
    reason: str = ""
    interrupted: bool = False


def failure_reason(result: Any, errors: list[str]) -> str:
    """One line: the first failed node (a data test with its failing-row count) or dbt's error."""
    for node in getattr(getattr(result, "result", None), "results", None) or []:
        status = str(node.status)
        if status == "fail":
            return f"data test {node.node.name} failed: {node.message}"
        if status == "error":
            return f"{node.node.name}: {first_message(str(node.message))}"
    if result.exception is not None:
        return first_message(str(result.exception))
    return first_message(errors[0]) if errors else "dbt failed"


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


def parse_env(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((k, v) for k, v in env.items() if k.startswith(PARSE_ENV_PREFIX) and k != AS_OF_ENV)
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
        self.root = project_dir()
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
        with environment(env):
            key = (project_signature(self.root), parse_env(env))
            if self.manifest is None or key != self.parsed_for:
                parsed, manifest = self._invoke(["parse"], None)
                if not parsed.success:
                    return parsed
                self.manifest, self.parsed_for = manifest, key
            return self._invoke(args, self.manifest)[0]

    def _invoke(self, args: list[str], manifest: Any) -> tuple[DbtRun, Any]:
        """One dbtRunner invocation: how it went, and its result (the manifest of a parse)."""
        from dbt.cli.main import dbtRunner

        errors: list[str] = []

        def collect(event: Any) -> None:
            if event.info.level == "error" and event.info.msg:
                errors.append(str(event.info.msg))

        try:
            result = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(
                [*args, *self.common_args()]
            )
        finally:
            self.close()
        run = DbtRun(
            success=bool(result.success),
            reason="" if result.success else failure_reason(result, errors),
            interrupted=isinstance(result.exception, KeyboardInterrupt),
        )
        return run, result.result

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

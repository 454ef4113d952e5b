"""dbt inside our own long-lived process (`eros-volume serve`), its project parsed once.

dbt's programmatic runner (``dbtRunner(manifest=...)``) keeps the parsed project between runs,
so a refresh pays neither dbt's import nor its parse. Only serve uses this module: a library
caller's process never runs dbt (``build`` runs it in a subprocess).

The kept manifest is parsed again when the project's files or the environment that shapes the
parse (build file path, raw database path) change. A run's outcome is a ``DbtRun`` with the
same one-line ``reason`` a subprocess run gives (dbt_runner.failure_reason).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .change_control import RUN_TIME_ENV
from .dbt_runner import DbtRun, failure_reason
from .paths import project_dir

# What a parse depends on besides the project files: the EROS_* environment (the build file's
# path names the database of every node; the raw database picks the target), except as_of,
# which the models read only when they run (macros/utils/as_of.sql).
PARSE_ENV_PREFIX = "EROS_"
AS_OF_ENV = "EROS_AS_OF"
INTERRUPTED = 130  # DbtRun.code of a run that SIGTERM or Ctrl-C stopped
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


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
        sorted(
            (k, v)
            for k, v in env.items()
            if k.startswith(PARSE_ENV_PREFIX) and k not in (AS_OF_ENV, *RUN_TIME_ENV)
        )
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


def node_results(result: Any) -> list[dict[str, Any]]:
    """The nodes of an in-process run result, shaped like run_results.json's results."""
    return [
        {
            "unique_id": node.node.unique_id,
            "status": str(node.status),
            "message": node.message,
            "compiled_code": getattr(node.node, "compiled_code", None) or "",
        }
        for node in getattr(result, "results", None) or []
    ]


def forget_compilation(manifest: Any) -> None:
    """Return the kept manifest's nodes to their parsed state before a run. dbt compiles nodes in
    place: a node whose ephemeral CTEs were injected in the last run is not injected again (its
    SQL then names a CTE it lacks), and an ephemeral model compiled then would keep that run's
    as_of. A fresh parse starts every node this way."""
    from dbt.contracts.graph.nodes import CompiledNode

    for node in manifest.nodes.values():
        if isinstance(node, CompiledNode):  # seeds are never compiled
            node.compiled = False
            node.compiled_code = None
            node.extra_ctes_injected = False
            node.extra_ctes = []
            node._pre_injected_sql = None


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
            "--target-path", str(self.state_dir),
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
                if not parsed.ok:
                    return parsed
                self.manifest, self.parsed_for = manifest, key
            forget_compilation(self.manifest)
            return self._invoke(args, self.manifest)[0]

    def _invoke(self, args: list[str], manifest: Any) -> tuple[DbtRun, Any]:
        """One dbtRunner invocation: how it went, and its result (the manifest of a parse)."""
        from dbt.cli.main import dbtRunner

        run = DbtRun(code=-1)

        def collect(event: Any) -> None:
            if event.info.level == "error" and event.info.msg:
                run.errors.append((str(event.info.name), str(event.info.msg)))

        try:
            result = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(
                [*args, *self.common_args()]
            )
        finally:
            self.close()
        if isinstance(result.exception, KeyboardInterrupt):
            run.code = INTERRUPTED
        else:
            run.code = 0 if result.success else 1
        if result.exception is not None:
            run.errors.append(("MainEncounteredError", str(result.exception)))
        run.results = node_results(result.result)
        if not run.ok:
            run.reason = failure_reason(run, os.environ.get("EROS_VOLUME_DB"))
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

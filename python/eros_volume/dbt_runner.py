"""dbt in a subprocess: structured logs in, short progress and one-line failures out.

dbt runs with ``--log-format json`` so that this module reads events, never greps text: the
progress lines come from dbt's ``FoundStats`` / node result / ``StatsLine`` events, and a failure
is explained from the failed nodes dbt reports at the end of a run (the failing node and its
message; for a failing data test, up to three failing rows, read back from the build's own
temporary file) or from dbt's own error event when no node ran. The full debug log of a failed
run is kept, and its path ends the line.

Each run gets its own target and log folders (:func:`.paths.dbt_work_dir`), removed when the run
ends; the folders of runs whose process died (SIGKILL) are removed by the next run. dbt
runs in its own process group and dies with its parent (Linux ``PR_SET_PDEATHSIG``); an exception
in the parent (Ctrl-C, SIGTERM turned into an exception by the CLI) stops the whole group first.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from .extensions import safe_config
from .paths import dbt_work_dir, kept_logs_dir, pid_alive, project_dir

__all__ = ["DbtRun", "Output", "pid_alive", "run_dbt"]

Output = Literal["quiet", "progress", "verbose"]

KEPT_LOGS = 20
FAILED_STATUSES = ("error", "fail", "runtime error")
FAILING_ROWS_SHOWN = 3
STOP_GRACE_SECONDS = 10.0
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# dbt's headers around the real message ("Encountered an error:", "Runtime Error", ...).
_HEADER = re.compile(
    r"^(Encountered an error:?|(Runtime|Compilation|Database|Parsing|Dependency) Error"
    r"( in .*)?|Failure in .*)$"
)
_LOG_IDS = itertools.count()

# The child: die with the parent (no orphaned dbt writing a temporary file), then become dbt.
_CHILD = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass
if os.getppid() != parent:
    sys.exit(143)
os.execv(sys.argv[2], sys.argv[2:])
"""


def dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    found = str(beside) if beside.is_file() else shutil.which("dbt")
    if not found:
        raise FileNotFoundError("dbt is not installed: pip install -e . in the project")
    return found


def plain_text(text: str) -> str:
    """Without ANSI colour codes."""
    return _ANSI.sub("", text)


@dataclass
class DbtRun:
    """What a dbt run did: exit code, dbt's log lines (plain text), its error events and the
    failed nodes (shaped like ``run_results.json``'s results); ``reason`` and ``log`` are set
    when it failed."""

    code: int
    lines: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # node -> status of its result event
    reason: str = ""
    log: Path | None = None

    @property
    def ok(self) -> bool:
        return self.code == 0

    def failure(self) -> str:
        """``<reason>; full log: <path>`` (the path last)."""
        return f"{self.reason}; full log: {self.log}" if self.log else self.reason


# Events that end a node (the node count comes from ConcurrencyLine).
NODE_DONE_EVENTS = frozenset(
    {"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "SkippingDetails"}
)


class Progress:
    """Turns dbt's JSON events into output: nothing (quiet), a line per stage (progress), or
    dbt's own log lines (verbose). Everything goes to stderr."""

    def __init__(self, output: Output, label: str = "dbt") -> None:
        self.output = output
        self.label = label
        self.total = 0
        self.done = 0
        self.next_quarter = 1

    def say(self, text: str) -> None:
        if self.output != "quiet":
            print(f"{self.label}: {text}", file=sys.stderr, flush=True)

    def event(self, name: str, msg: str, data: dict[str, Any]) -> None:
        if self.output == "verbose":
            print(msg, file=sys.stderr, flush=True)
            return
        if name in ("FoundStats", "StatsLine"):
            self.say(msg.strip())
        elif name == "ConcurrencyLine" and isinstance(data.get("node_count"), int):
            self.total = data["node_count"]
        elif name in NODE_DONE_EVENTS and self.total:
            self.done += 1
            if self.next_quarter < 4 and self.done * 4 >= self.next_quarter * self.total:
                self.say(f"{self.done}/{self.total} nodes done")
                self.next_quarter = self.done * 4 // self.total + 1


def _follow(process: subprocess.Popen, progress: Progress, run: DbtRun) -> None:
    """Read dbt's JSON events until it exits."""
    assert process.stdout is not None
    for raw in process.stdout:
        try:
            event = json.loads(raw)
            info, data = event["info"], event.get("data") or {}
        except (ValueError, KeyError, TypeError):
            text = plain_text(raw.rstrip("\n"))  # not an event (a Python warning, say)
            run.lines.append(text)
            if progress.output == "verbose":
                print(text, file=sys.stderr, flush=True)
            continue
        msg = plain_text(str(info.get("msg", "")))
        run.lines.append(msg)
        if info.get("level") == "error":
            run.errors.append((str(info.get("name", "")), msg))
        progress.event(str(info.get("name", "")), msg, data)
        _collect_result(run, str(info.get("name", "")), str(info.get("msg", "")), data)


def _collect_result(run: DbtRun, name: str, msg: str, data: dict[str, Any]) -> None:
    """The failed nodes, from the summary dbt prints at the end of a run (a RunResultError with
    the node's message, then its compiled SQL's path), shaped like run_results.json's results:
    a publishing build runs with --no-write-json (dbt's 2 MB of JSON artifacts cost a cold
    build ~0.25 s)."""
    node = data.get("node_info") or {}
    unique_id = node.get("unique_id")
    if not unique_id:
        return
    if name in NODE_DONE_EVENTS and data.get("status"):
        run.statuses[unique_id] = str(data["status"]).lower()
    elif name in ("RunResultError", "RunResultErrorNoMessage"):
        run.results.append(
            {
                "unique_id": unique_id,
                "status": run.statuses.get(unique_id, "error"),
                "message": str(data.get("msg") or msg) if name == "RunResultError" else None,
                "compiled_code": "",
            }
        )
    elif name == "SQLCompiledPath" and run.results and run.results[-1]["unique_id"] == unique_id:
        with contextlib.suppress(OSError):
            run.results[-1]["compiled_code"] = Path(str(data.get("path"))).read_text()


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to dbt's process group, SIGKILL if it has not ended after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


def run_dbt(
    args: list[str], env: dict[str, str], output: Output = "progress", target: Path | None = None
) -> DbtRun:
    """Run ``dbt <args>`` in the project with ``env``; on failure, ``reason`` says why (reading
    the build file named by ``env['EROS_VOLUME_DB']`` for failing rows) and ``log`` keeps dbt's
    full log. ``target``: dbt's target folder when it is kept between runs (its saved parse),
    else a fresh one."""
    root = project_dir()
    with dbt_work_dir() as work:
        target = target or work / "target"
        command = [
            sys.executable, "-c", _CHILD, str(os.getpid()), dbt_executable(), *args,
            "--project-dir", str(root), "--profiles-dir", str(root),
            "--target-path", str(target), "--log-path", str(work / "logs"),
            "--log-format", "json", "--no-use-colors", "--no-use-colors-file",
        ]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        run = DbtRun(code=-1)
        try:
            _follow(process, Progress(output), run)
            run.code = process.wait()
        except BaseException:
            _stop(process)
            raise
        if not run.ok:
            run.reason = failure_reason(run, env.get("EROS_VOLUME_DB"))
            run.log = _keep_log(work / "logs" / "dbt.log")
        return run


def _keep_log(log: Path) -> Path | None:
    """Move a failed run's log to ``logs/``, keeping the newest ``KEPT_LOGS`` there."""
    if not log.is_file():
        return None
    logs = kept_logs_dir()
    logs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kept = logs / f"dbt-{stamp}-{os.getpid()}-{next(_LOG_IDS)}.log"
    shutil.move(log, kept)
    for old in sorted(logs.glob("dbt-*.log"), key=lambda p: p.stat().st_mtime)[:-KEPT_LOGS]:
        old.unlink(missing_ok=True)
    return kept


def cause(message: str | None, limit: int = 300) -> str:
    """dbt's message without colour codes, headers, macro traces and blank lines, one line."""
    lines = [line.strip() for line in plain_text(message or "").splitlines()]
    kept = [line for line in lines if line and not line.startswith(">") and not _HEADER.match(line)]
    text = " ".join(kept[:2]) or "no message"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def node_label(unique_id: str) -> str:
    """'model stg_x', 'test unique_x', 'unit test int_y.case' from a dbt unique_id."""
    kind, _, rest = unique_id.partition(".")
    parts = rest.split(".")[1:]  # drop the project name
    if kind == "test" and len(parts) > 1:
        parts = parts[:-1]  # the hash
    return f"{kind.replace('_', ' ')} {'.'.join(parts)}"


def failure_reason(run: DbtRun, database: str | None = None) -> str:
    """The first failing node and its cause (with failing rows for a data test), else dbt's
    own error event, else the exit code."""
    failed = [r for r in run.results if r.get("status") in FAILED_STATUSES]
    if failed:
        first = failed[0]
        text = f"{node_label(str(first.get('unique_id', '?')))}: {cause(first.get('message'))}"
        if first.get("status") == "fail" and database:
            rows = failing_rows(Path(database), str(first.get("compiled_code") or ""))
            text += f" ({rows})" if rows else ""
        if len(failed) > 1:
            text += f"; and {len(failed) - 1} more failed"
        return text
    chosen = [msg for name, msg in run.errors if name == "MainEncounteredError"] or [
        msg for _, msg in run.errors
    ]
    if chosen:
        return cause(chosen[0])
    return f"dbt exited with code {run.code}"


def failing_rows(database: Path, compiled_sql: str) -> str:
    """Up to three rows of a failed data test, re-run read-only on the build's temporary file,
    as ``column=value`` text; empty when that is not possible (no file, a query that needs
    the raw database)."""
    if not compiled_sql.strip() or not database.is_file():
        return ""
    try:
        with duckdb.connect(str(database), read_only=True, config=safe_config()) as con:
            cursor = con.execute(
                f"select * from ({compiled_sql}) as failing limit {FAILING_ROWS_SHOWN}"
            )
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error:
        return ""
    shown = [", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True)) for row in rows]
    return "failing rows: " + "; ".join(shown) if shown else ""

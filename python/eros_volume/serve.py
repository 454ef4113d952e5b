"""`eros-volume serve`: a long-lived process that keeps the build file fresh.

It refreshes on a schedule (``--every``) and as soon as the raw database changes (its file's size
or mtime, or its WAL's), one refresh at a time, each published exactly as ``build`` publishes: a
temporary file swapped in with ``os.replace`` once every model and data test passed, so readers
see the old build or the new one, never a mix. A failed refresh keeps the last good build serving
and logs its cause in one line; every refresh logs one line (duration, creators, how many
changed). SIGTERM (or Ctrl-C) stops it cleanly, mid-refresh too: the refresh is abandoned and its
temporary files removed.

dbt runs in this process with its parsed project kept (kept_dbt.KeptDbt), which is what makes a
refresh cheaper than a cold ``eros-volume build``.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import duckdb

from . import change_control
from .build import (
    PUBLISH_ARGS,
    BuildError,
    BuildInputError,
    dbt_env,
    parse_timestamp,
    prepare_raw,
    publishing,
    remove_database,
    settings_vars,
    target_path,
    temporary_path,
)
from .extensions import safe_config
from .kept_dbt import INTERRUPTED, KeptDbt
from .paths import dbt_state_dir

POLL_SECONDS = 1.0
DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class Stopped(Exception):
    """SIGTERM or Ctrl-C arrived; a refresh in progress was abandoned."""


@dataclass
class Refresh:
    seconds: float
    creators: int
    changed: int


def parse_every(text: str) -> float:
    """'90', '90s', '10m', '2h', '1d' -> seconds (> 0), else BuildInputError."""
    match = DURATION.match(text.strip())
    if not match or float(match.group(1)) <= 0:
        raise BuildInputError(f"--every is not a duration like 30s, 10m or 2h: {text!r}")
    return float(match.group(1)) * UNIT_SECONDS[match.group(2)]


def row_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """creator_id -> hash of its whole volume_config row, in the build file of ``con``."""
    rows = con.execute("select creator_id, hash(volume_config) from volume_config").fetchall()
    return dict(rows)


def previous_hashes(path: Path) -> dict[str, int]:
    """row_hashes of the build file a first refresh replaces; none when it has no volume_config."""
    if not path.exists():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True, config=safe_config()) as con:
            return row_hashes(con)
    except duckdb.Error:
        return {}


class Refresher:
    """Builds ``db`` from ``raw`` (the demo data when None) with dbt kept in this process."""

    def __init__(
        self,
        db: str | Path | None = None,
        raw: str | Path | None = None,
        as_of: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.db_path = target_path(db)
        self.raw = Path(raw).expanduser().resolve() if raw else None
        self.arguments = PUBLISH_ARGS + settings_vars(settings)
        self.history_note: str | None = None
        self.as_of = parse_timestamp(as_of) if as_of else None
        self.dbt = KeptDbt(dbt_state_dir(self.db_path, self.raw))
        self.previous: dict[str, int] | None = None
        self.seeds_loaded: bool | None = None  # by the last refresh

    def refresh(self) -> Refresh:
        """One build, published as ``build`` publishes (every model and data test passed);
        BuildError if not, Stopped if interrupted. The last good build keeps serving."""
        start = time.perf_counter()
        raw_path = prepare_raw(self.raw)
        with publishing(self.db_path, quiet=True) as temporary:
            previous, skip = change_control.prepare_build(self.db_path, temporary, raw_path)
            env = dbt_env(temporary, raw_path, self.as_of) | previous
            run = self.dbt.invoke(self.arguments + skip, env)
            self.seeds_loaded = not skip
            if run.code == INTERRUPTED:
                raise Stopped()
            if not run.ok:
                raise BuildError(run.reason)
            if self.previous is None:
                self.previous = previous_hashes(self.db_path)
            with duckdb.connect(str(temporary), config=safe_config()) as con:
                current = row_hashes(con)
                self.history_note = change_control.read_history_note(con)
        changed = sum(1 for key, value in current.items() if self.previous.get(key) != value)
        changed += sum(1 for key in self.previous if key not in current)
        self.previous = current
        return Refresh(time.perf_counter() - start, len(current), changed)

    def close(self) -> None:
        """Close dbt's connections and remove what an abandoned refresh left."""
        self.dbt.close()
        remove_database(temporary_path(self.db_path))


def raw_signature(raw: str | Path | None) -> tuple:
    """(size, mtime) of the raw file and of its write-ahead log, if any: a change means new data."""
    if not raw:
        return ()
    signature = []
    for suffix in ("", "-wal", ".wal"):
        try:
            stat = os.stat(f"{raw}{suffix}")
        except OSError:
            signature.append(None)
            continue
        signature.append((stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


def log_refresh(
    refresher: Refresher, log: Callable[[str], None], stop: threading.Event | None = None
) -> None:
    """One refresh, one log line; Stopped when ``stop`` is set (by SIGTERM) as it fails."""
    start = time.perf_counter()
    try:
        done = refresher.refresh()
    except Stopped:
        raise
    except Exception as exc:  # a refresh's failure, whatever it is, leaves the last build serving
        if stop is not None and stop.is_set():  # SIGTERM while DuckDB ran ("Query interrupted")
            raise Stopped() from exc
        reason = " ".join(str(exc).split())
        seconds = time.perf_counter() - start
        log(f"refresh failed after {seconds:.2f} s, {refresher.db_path} unchanged: {reason}")
        return
    log(
        f"refreshed {refresher.db_path} in {done.seconds:.2f} s: {done.creators} creators, "
        f"{done.changed} changed"
    )
    if refresher.history_note:
        log(refresher.history_note)


def serve(
    refresher: Refresher,
    every: float,
    stop: threading.Event,
    log: Callable[[str], None],
) -> None:
    """Refresh now, then every ``every`` seconds and whenever the raw file changes, until stop."""
    seen = raw_signature(refresher.raw)
    due = time.monotonic()
    while not stop.is_set():
        os.utime(refresher.dbt.state_dir)  # in use: never pruned (paths.dbt_state_dir)
        now_seen = raw_signature(refresher.raw)
        if time.monotonic() >= due or now_seen != seen:
            seen = now_seen
            log_refresh(refresher, log, stop)
            due = time.monotonic() + every
        stop.wait(POLL_SECONDS)


def log_line(text: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} eros-volume serve: {text}", file=sys.stderr, flush=True)


def run_serve(
    db: str | None,
    raw: str | None,
    every: str,
    as_of: str | None = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """The CLI's serve: signal handling around serve()."""
    interval = parse_every(every)
    raw = raw or os.environ.get("EROS_RAW_DB") or None
    refresher = Refresher(db=db, raw=raw, as_of=as_of, settings=settings)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            stop.set()
            raise KeyboardInterrupt  # abandons a refresh in progress; serve() ends

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    log_line(f"serving {refresher.db_path} from {raw or 'the demo data'}, every {every}")
    try:
        serve(refresher, interval, stop, log_line)
    except (KeyboardInterrupt, Stopped):
        pass
    finally:
        refresher.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log_line("stopped")

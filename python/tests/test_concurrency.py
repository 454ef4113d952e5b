"""A build never disturbs readers (SPEC 8): reader threads and a reader process call the wrapper in
a loop while three rebuilds with different data replace the file they read, and a failed build
leaves the last good file serving. Every answer must be the whole answer of one build."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_AS_OF, DEMO_TABLES, demo_rows, write_sqlite

import eros_volume

# Looked up in turn; "gracebennett" is grace_bennett's page_name. "*" is all_volume_configs().
CREATORS = ["grace_bennett", "hannah_brooks", "lily_monroe", "zoe_kessler", "gracebennett"]
READER_THREADS = 3
PAUSE = 0.1  # between lookups: a lookup costs ~25 ms of CPU, and dbt needs the cores

READER_PROCESS = textwrap.dedent(
    """
    import hashlib, json, os, sys, time
    import eros_volume

    db, stop, keys, pause = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4])
    store = eros_volume.connect(db)
    i = 0
    while not os.path.exists(stop):
        key = keys[i % len(keys)]
        try:
            answer = store.all_volume_configs() if key == "*" else store.get_volume_config(key)
            text = json.dumps(answer, sort_keys=True)
            line = {"key": key, "digest": hashlib.sha256(text.encode()).hexdigest()}
        except Exception as exc:  # recorded, never raised: the test counts them
            line = {"key": key, "exception": repr(exc)}
        print(json.dumps(line), flush=True)
        i += 1
        time.sleep(pause)
    """
)


def digest(answer: Any) -> str:
    return hashlib.sha256(json.dumps(answer, sort_keys=True).encode()).hexdigest()


def snapshot(db: Path) -> dict[str, str]:
    """The digest of every answer the readers ask for, read after a build (no build running)."""
    store = eros_volume.connect(db)
    answers = {creator: store.get_volume_config(creator) for creator in CREATORS}
    assert all("error" not in answer for answer in answers.values()), answers
    return {"*": digest(store.all_volume_configs())} | {c: digest(a) for c, a in answers.items()}


class Readers:
    """Reader threads recording (key, digest) of every answer, and any exception."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[list[tuple[str, str]]] = [[] for _ in range(READER_THREADS)]
        self.errors: list[str] = []
        self.threads = [
            threading.Thread(target=self.read, args=(index,), daemon=True)
            for index in range(READER_THREADS)
        ]

    def read(self, index: int) -> None:
        store = eros_volume.connect(self.db)
        keys = [*CREATORS, "*"]
        i = index  # the threads start at different keys
        while not self.stop.is_set():
            key = keys[i % len(keys)]
            try:
                if key == "*":
                    answer: Any = store.all_volume_configs()
                else:
                    answer = store.get_volume_config(key)
                self.answers[index].append((key, digest(answer)))
            except Exception as exc:
                with self.lock:
                    self.errors.append(f"thread {index} {key}: {exc!r}")
            i += 1
            time.sleep(PAUSE)

    def __enter__(self) -> Readers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def wait_for(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def raw_variants(directory: Path) -> list[tuple[Path, str]]:
    """Three raw databases (and as_of) whose builds differ from the demo build and each other."""
    demo = {name: demo_rows(name) for name in DEMO_TABLES}
    more_fans = {
        **demo,
        "creators": [
            {**row, "current_active_fans": str(int(row["current_active_fans"]) + 1)}
            if row["current_active_fans"] is not None
            else row
            for row in demo["creators"]
        ],
    }
    no_tracking = write_sqlite(directory / "no_tracking.db", demo)
    with sqlite3.connect(no_tracking) as con:
        con.execute("drop table volume_performance_tracking")
    con.close()
    return [
        (write_sqlite(directory / "more_fans.db", more_fans), DEMO_AS_OF),
        (no_tracking, DEMO_AS_OF),
        (write_sqlite(directory / "demo.db", demo), "2025-12-09 12:00:00"),
    ]


def missing_fans_column(directory: Path) -> Path:
    path = write_sqlite(directory / "no_fans_column.db")
    with sqlite3.connect(path) as con:
        con.execute("alter table creators drop column current_active_fans")
    con.close()
    return path


def test_rebuilds_never_disturb_readers(demo_db: Path, tmp_path: Path) -> None:
    served = tmp_path / "serving" / "eros_volume.duckdb"
    served.parent.mkdir()
    shutil.copyfile(demo_db, served)  # the first build: a copy of the session's demo build
    variants = raw_variants(tmp_path)
    broken = missing_fans_column(tmp_path)
    snapshots = [snapshot(served)]
    stop_file = tmp_path / "stop"
    process_out = tmp_path / "reader_process.jsonl"

    with process_out.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER_PROCESS,
                str(served),
                str(stop_file),
                json.dumps([*CREATORS, "*"]),
                str(PAUSE),
            ],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "EROS_VOLUME_DB"},
        )
        try:
            with Readers(served) as readers:
                # Every reader has answered from the first file before the first rebuild starts.
                wait_for(
                    lambda: all(any(k == "*" for k, _ in a) for a in readers.answers),
                    "the reader threads",
                )
                wait_for(lambda: '"*"' in process_out.read_text(), "the reader process")

                for raw, as_of in variants:
                    eros_volume.build(db=served, raw=raw, as_of=as_of, echo=False)
                    snapshots.append(snapshot(served))
                    time.sleep(0.5)

                # A failed build raises, names the problem, and leaves the last build serving.
                with pytest.raises(eros_volume.BuildError) as failure:
                    eros_volume.build(db=served, raw=broken, as_of=DEMO_AS_OF, echo=False)
                assert "missing required column current_active_fans" in str(failure.value)
                assert "\n" not in str(failure.value)
                assert snapshot(served) == snapshots[-1]
                time.sleep(0.5)
        finally:
            stop_file.touch()
            _, process_err = process.communicate(timeout=60)

    assert process.returncode == 0, process_err
    assert sorted(p.name for p in served.parent.iterdir()) == [
        "eros_volume.duckdb",
        "eros_volume.duckdb.lock",
    ]

    # The four files really differ, for every answer the readers compare whole.
    assert len({s["*"] for s in snapshots}) == 4
    assert len({s["grace_bennett"] for s in snapshots}) == 4
    valid = {key: [s[key] for s in snapshots] for key in snapshots[0]}

    assert readers.errors == []
    process_lines = [json.loads(line) for line in process_out.read_text().splitlines()]
    assert [line for line in process_lines if "exception" in line] == []
    process_answers = [(line["key"], line["digest"]) for line in process_lines]

    for name, answers in [
        *((f"thread {i}", a) for i, a in enumerate(readers.answers)),
        ("process", process_answers),
    ]:
        assert len(answers) >= 50, (name, len(answers))
        wrong = [(key, d) for key, d in answers if d not in valid[key]]
        assert wrong == [], f"{name}: {len(wrong)} answers match no build"
        builds_seen = [valid["*"].index(d) for key, d in answers if key == "*"]
        # Each reader follows the builds in order, from the first to the last.
        assert builds_seen == sorted(builds_seen), name
        assert builds_seen[0] == 0 and builds_seen[-1] == 3, (name, sorted(set(builds_seen)))

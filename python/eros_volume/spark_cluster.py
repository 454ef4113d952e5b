"""A Spark standalone cluster on this machine (a master and workers on 127.0.0.1), started from
pyspark's own launcher (``bin/spark-class``) and stopped on exit: for the tests and the benchmark,
and to try ``build --engine spark --spark-master`` without a real cluster (docs/spark.md)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .build import BuildError


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        raise BuildError("the Spark engine is not installed: pip install '.[spark]'") from None
    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("w") as out:
        process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as reply:
            state = json.load(reply)
    except OSError:
        return 0
    return sum(1 for worker in state.get("workers", []) if worker.get("state") == "ALIVE")


@dataclass(frozen=True)
class Cluster:
    url: str  # spark://127.0.0.1:PORT
    worker_dirs: tuple[Path, ...]  # each worker's work folder: one app-* folder per application


@contextmanager
def standalone_cluster(
    workers: int = 2, cores: int = 1, memory: str = "2g", timeout: float = 300
) -> Iterator[Cluster]:
    """Start a master and ``workers`` workers on 127.0.0.1; yield the cluster once every worker
    has registered; stop them all on exit."""
    from .spark_engine import java_home

    launcher = str(spark_home() / "bin" / "spark-class")
    port, ui_port = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    env = dict(os.environ, JAVA_HOME=java_home(), SPARK_HOME=str(spark_home()))
    env.update(SPARK_LOCAL_IP="127.0.0.1", SPARK_NO_DAEMONIZE="1")
    with ExitStack() as stack:
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="eros-cluster-")))
        master = "org.apache.spark.deploy.master.Master"
        arguments = ["--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port)]
        stack.enter_context(_process([launcher, master, *arguments], env, logs / "master.log"))
        worker_dirs = tuple(logs / f"worker-{number}" for number in range(workers))
        for number, work in enumerate(worker_dirs):
            command = [
                launcher, "org.apache.spark.deploy.worker.Worker", url,
                "--host", "127.0.0.1", "--cores", str(cores), "--memory", memory,
                "--webui-port", str(free_port()), "--work-dir", str(work),
            ]  # fmt: skip
            stack.enter_context(_process(command, env, logs / f"worker-{number}.log"))
        deadline = time.monotonic() + timeout
        while _alive_workers(ui_port) < workers:
            if time.monotonic() > deadline:
                raise BuildError(f"the Spark cluster did not start in {timeout:.0f} s ({logs})")
            time.sleep(0.5)
        yield Cluster(url, worker_dirs)

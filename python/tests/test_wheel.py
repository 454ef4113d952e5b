"""The package runs anywhere (issue 13): `pip wheel .` makes a wheel that carries the dbt project;
installed into a fresh venv, every command works from an empty folder outside the checkout, with
dbt's work folders and the DuckDB extension outside the installed package.

Slow (the install resolves every dependency through pip): marked `wheel`, and part of
scripts/test.sh like every test; `pytest -m "not wheel"` leaves it out locally."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import anyio
import pytest
import yaml
from conftest import DEMO_AS_OF, ROOT
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from test_mcp import SCHEMAS

import eros_volume

pytestmark = pytest.mark.wheel

NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "target", "logs", "dbt_packages", ".duckdb_extensions",
    "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", "*.duckdb", "*.duckdb.wal", "tmp",
)  # fmt: skip


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> str:
    """The command's stdout and stderr, after it succeeded."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of a copy of the working tree (so the checkout gets no build/ folder)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", str(base / "dist")]
    run(command, cwd=source, env=dict(os.environ))
    (found,) = (base / "dist").glob("eros_volume-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (dependencies from the package registry)."""
    path = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", str(path)], cwd=path.parent, env=dict(os.environ))
    pip = [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    run([*pip, str(wheel)], cwd=path.parent, env=dict(os.environ))
    return path


def dbt_folders() -> list[str]:
    """The folders dbt reads (every ``*-paths`` of dbt_project.yml)."""
    config = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    return [folder for key, value in config.items() if key.endswith("-paths") for folder in value]


def test_wheel_carries_the_dbt_project(wheel: Path) -> None:
    assert sorted(dbt_folders()) == ["macros", "models", "seeds", "tests"]
    expected = {"dbt_project.yml", "profiles.yml"} | {
        str(path.relative_to(ROOT))
        for folder in dbt_folders()
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    prefix = "eros_volume/_project/"
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.removeprefix(prefix) for name in names if name.startswith(prefix)} == expected
    package = ROOT / "python" / "eros_volume"  # modules, SQL, templates: every file
    assert {
        f"eros_volume/{path.relative_to(package)}"
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    } <= set(names)
    assert not [name for name in names if name.startswith(("python/", "target/", "build/"))]


def package_files(venv: Path) -> set[str]:
    (site,) = venv.glob("lib/python*/site-packages")
    return {str(p) for p in site.rglob("*") if "__pycache__" not in p.parts}


def test_installed_commands_run_from_an_empty_folder(venv: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EROS_", "PYTHON", "DBT_"))}
    env["XDG_CACHE_HOME"] = str(cache)
    eros = str(venv / "bin" / "eros-volume")
    installed = package_files(venv)

    where = run([str(venv / "bin" / "python"), "-c", PROJECT_DIR], cwd=work, env=env)
    assert where.strip() == str(next(venv.glob("lib/python*/site-packages")) / PROJECT)

    assert "wrote x.db (SQLite, original schema)" in run([eros, "demo-db", "x.db"], work, env)
    tracked = run([eros, "track", "--raw", "x.db", "--as-of", DEMO_AS_OF, "--quiet"], work, env)
    assert f"tracking rows for {DEMO_AS_OF[:10]} into {work / 'x.db'}" in tracked
    db = ["--db", "y.duckdb"]
    assert f"built {work / 'y.duckdb'}" in run([eros, "build", "--raw", "x.db", *db], work, env)
    table = run([eros, "show", *db], work, env).splitlines()
    assert table[0].split()[:3] == ["creator", "level", "fans"]
    assert any(line.startswith("grace_bennett ") for line in table)
    shown = json.loads(run([eros, "show", "grace_bennett", "--json", *db], work, env))
    assert shown == [eros_volume.connect(work / "y.duckdb").get_volume_config("grace_bennett")]
    run([eros, "dashboard", *db, "--out", "dashboard.html"], work, env)
    assert "<html" in (work / "dashboard.html").read_text()[:500].lower()
    assert_mcp_answers(eros, work, env)

    # The default build file of an installed package is build/eros_volume.duckdb in the CWD.
    default = subprocess.run([eros, "show"], cwd=work, env=env, capture_output=True, text=True)
    assert default.returncode == 1
    assert f"cannot read {work / 'build' / 'eros_volume.duckdb'}" in default.stderr

    # Nothing written into the installed package; dbt's folders were temporary; the SQLite
    # extension was installed by the package into the cache folder.
    assert package_files(venv) == installed
    assert sorted(p.name for p in work.iterdir()) == [
        "dashboard.html", "x.db", "y.duckdb", "y.duckdb.lock",
    ]  # fmt: skip
    assert list((cache / "eros-volume" / "duckdb_extensions").rglob("sqlite_scanner*"))


PROJECT = "eros_volume/_project"
PROJECT_DIR = "from eros_volume.paths import project_dir; print(project_dir())"


def assert_mcp_answers(eros: str, work: Path, env: dict[str, str]) -> None:
    """`eros-volume mcp` of the installed package, as a client configured per docs/mcp.md."""
    db = work / "y.duckdb"
    server = StdioServerParameters(
        command=eros, args=["mcp"], env={**env, "EROS_VOLUME_DB": str(db)}, cwd=work
    )

    async def session() -> tuple[list[str], object]:
        async with Client(server, cache=None, read_timeout_seconds=60) as client:
            tools = await client.list_tools()
            result = await client.call_tool("get_volume_config", {"creator_id": "grace_bennett"})
            return [tool.name for tool in tools.tools], result.structured_content

    names, answer = anyio.run(session)
    assert names == list(SCHEMAS)
    expected = eros_volume.connect(db).get_volume_config("grace_bennett")
    assert answer == json.loads(json.dumps(expected, default=str))

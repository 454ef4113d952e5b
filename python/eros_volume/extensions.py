"""DuckDB extensions without a network: the SQLite scanner shipped as a pip package.

DuckDB cannot download extensions on our machines. The PyPI package
``duckdb-extension-sqlite-scanner`` ships the extension binary for one DuckDB version; this module
installs it from that file into a local extension directory (``paths.default_extension_dir``)
and gives the connect config that makes DuckDB use that directory (and never try to download
anything).

Usage::

    ensure_sqlite_extension()
    con = duckdb.connect(config=duckdb_config())
    con.execute("ATTACH 'raw.db' AS raw (TYPE sqlite, READ_ONLY)")
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

from .paths import default_extension_dir, project_dir

SQLITE_EXTENSION = "sqlite_scanner"
_SHIPPED_PACKAGE = "duckdb_extension_sqlite_scanner"

# project_root: the old name of paths.project_dir, kept for its callers.
project_root = project_dir


def _resolve(extension_dir: str | Path | None) -> Path:
    return default_extension_dir() if extension_dir is None else Path(extension_dir).resolve()


def duckdb_config(extension_dir: str | Path | None = None) -> dict[str, str | bool]:
    """The ``duckdb.connect(config=...)`` settings that use the local extension directory."""
    return {
        "extension_directory": str(_resolve(extension_dir)),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
    }


def shipped_sqlite_extension() -> Path:
    """The extension file of the pip package, for the installed ``duckdb.__version__``."""
    spec = importlib.util.find_spec(_SHIPPED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the package {_SHIPPED_PACKAGE!r} is not installed: "
            f"pip install duckdb-extension-sqlite-scanner=={duckdb.__version__}"
        )
    version = f"v{duckdb.__version__}"
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "extensions" / version / f"{SQLITE_EXTENSION}.duckdb_extension"
        if candidate.is_file():
            return candidate
    raise RuntimeError(
        f"{_SHIPPED_PACKAGE} ships no {SQLITE_EXTENSION} for DuckDB {version}: "
        f"pip install duckdb-extension-sqlite-scanner=={duckdb.__version__}"
    )


def _installed(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "select installed from duckdb_extensions() where extension_name = ?", [SQLITE_EXTENSION]
    ).fetchone()
    return bool(row and row[0])


def ensure_sqlite_extension(extension_dir: str | Path | None = None) -> None:
    """Install the shipped SQLite scanner into ``extension_dir`` (default: see
    :func:`default_extension_dir`); a no-op when it is already installed there."""
    directory = _resolve(extension_dir)
    directory.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(config=duckdb_config(directory)) as con:
        if _installed(con):
            return
        source = shipped_sqlite_extension()
        con.execute(f"install '{_sql_string(str(source))}'")
        if not _installed(con):
            raise RuntimeError(f"could not install {source} into {directory}")


def _sql_string(text: str) -> str:
    return text.replace("'", "''")

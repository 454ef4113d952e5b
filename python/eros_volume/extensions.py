"""DuckDB extensions without a network: scanners shipped as pip packages, installed on demand.

DuckDB cannot download extensions on our machines. The PyPI packages
``duckdb-extension-sqlite-scanner`` (and ``duckdb-extension-postgres-scanner``) ship the extension
binary for one DuckDB version; this module installs it from that file into the local extension
directory (``paths.default_extension_dir``) the first time a command needs it (no setup step),
and gives the connect configs: :func:`safe_config` (no install, no autoload: every connection that
needs no extension) and :func:`duckdb_config` (the local directory, autoload from it only).

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
POSTGRES_EXTENSION = "postgres_scanner"
# extension name -> the pip package (import name) that ships its binary
SHIPPED = {
    SQLITE_EXTENSION: "duckdb_extension_sqlite_scanner",
    POSTGRES_EXTENSION: "duckdb_extension_postgres_scanner",
}

# project_root: the old name of paths.project_dir, kept for its callers.
project_root = project_dir


def _resolve(extension_dir: str | Path | None) -> Path:
    return default_extension_dir() if extension_dir is None else Path(extension_dir).resolve()


def safe_config() -> dict[str, str | bool]:
    """Connect settings for connections that need no extension: DuckDB never installs or loads
    one by itself (a file that needs one fails at once instead of reaching for the network)."""
    return {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def duckdb_config(extension_dir: str | Path | None = None) -> dict[str, str | bool]:
    """The ``duckdb.connect(config=...)`` settings that use the local extension directory:
    never installs from the network; loads an extension installed there when a statement
    needs it (ATTACH ... TYPE sqlite)."""
    return {
        "extension_directory": str(_resolve(extension_dir)),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
    }


def shipped_extension(name: str = SQLITE_EXTENSION) -> Path:
    """The extension file of its pip package, for the installed ``duckdb.__version__``."""
    package = SHIPPED[name]
    wanted = f"pip install {package.replace('_', '-')}=={duckdb.__version__}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {package!r} is not installed: {wanted}")
    version = f"v{duckdb.__version__}"
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "extensions" / version / f"{name}.duckdb_extension"
        if candidate.is_file():
            return candidate
    raise RuntimeError(f"{package} ships no {name} for DuckDB {version}: {wanted}")


def shipped_sqlite_extension() -> Path:
    return shipped_extension(SQLITE_EXTENSION)


def _installed(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "select installed from duckdb_extensions() where extension_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def ensure_extension(name: str, extension_dir: str | Path | None = None) -> None:
    """Install the shipped extension ``name`` into ``extension_dir`` (default: see
    :func:`default_extension_dir`) on first use; a no-op when it is already installed there."""
    directory = _resolve(extension_dir)
    directory.mkdir(parents=True, exist_ok=True)
    config = {**duckdb_config(directory), "autoload_known_extensions": False}
    with duckdb.connect(config=config) as con:
        if _installed(con, name):
            return
        source = shipped_extension(name)
        con.execute(f"install '{_sql_string(str(source))}'")
        if not _installed(con, name):
            raise RuntimeError(f"could not install {source} into {directory}")


def ensure_sqlite_extension(extension_dir: str | Path | None = None) -> None:
    """:func:`ensure_extension` for the SQLite scanner."""
    ensure_extension(SQLITE_EXTENSION, extension_dir)


def ensure_postgres_extension(extension_dir: str | Path | None = None) -> None:
    """:func:`ensure_extension` for the PostgreSQL scanner."""
    ensure_extension(POSTGRES_EXTENSION, extension_dir)


def _sql_string(text: str) -> str:
    return text.replace("'", "''")

"""The Spark engine: the same dbt models on Apache Spark (dbt-spark), for data that outgrows one
machine. See docs/spark.md.

``export_parquet(raw, out_dir)`` writes the raw tables of a SQLite or DuckDB operational database
as Parquet, one folder per table, with the original tables' columns.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .build import (
    BuildError,
    BuildInputError,
    check_freshness,
    dbt_env,
    input_error,
    prepare_raw,
    publishing,
    raw_database_kind,
    target_path,
)
from .dbt_runner import Output, run_dbt
from .extensions import duckdb_config
from .raw_schema import TABLES


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns()"
            " where database_name = 'raw_db' and table_name = ? order by column_index",
            [table],
        ).fetchall()
    ]


def export_parquet(raw: str | Path, out_dir: str | Path) -> dict[str, int]:
    """Write each raw table present in ``raw`` to ``out_dir/<table>/<table>.parquet``, every
    column as the text a DuckDB build reads (SQLite holds any value in any column; the staging
    models parse and check the text alike on every engine); returns rows per table. A folder is
    replaced only once its new file is complete."""
    raw_path = prepare_raw(raw)
    if raw_path is None:
        raise BuildInputError("--raw is required")
    kind = raw_database_kind(raw_path)
    out = Path(out_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(config=duckdb_config()) as con:
        if kind == "sqlite":
            con.execute("set sqlite_all_varchar = true")
        con.execute(f"attach {_sql_string(str(raw_path))} as raw_db (type {kind}, read_only)")
        for table in TABLES:
            columns = _columns(con, table)
            if columns:
                texts = ", ".join(f'cast("{name}" as varchar) as "{name}"' for name in columns)
                select = f"select {texts} from raw_db.{table}"
                counts[table] = _write_table(con, select, out / table)
    return counts


def _write_table(con: duckdb.DuckDBPyConnection, select: str, folder: Path) -> int:
    partial = folder.with_name(f".{folder.name}.writing-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        target = partial / f"{folder.name}.parquet"
        con.execute(f"copy ({select}) to {_sql_string(str(target))} (format parquet)")
        rows = con.execute(f"select count(*) from read_parquet({_sql_string(str(target))})")
        count = int(rows.fetchone()[0])
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(partial, folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return count


def java_home() -> str:
    """$JAVA_HOME, else the installation of the ``java`` on PATH; BuildError without Java."""
    configured = os.environ.get("JAVA_HOME")
    if configured and (Path(configured) / "bin" / "java").is_file():
        return configured
    found = shutil.which("java")
    if not found:
        raise BuildError("Spark needs Java 17 or later: install a JDK or set JAVA_HOME")
    return str(Path(found).resolve().parent.parent)


def raw_parquet_tables(folder: str | Path) -> tuple[Path, list[str]]:
    """The Parquet folder and the raw tables it holds (one sub-folder each)."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise BuildInputError(f"raw Parquet folder not found: {path}")
    return path, [table for table in TABLES if (path / table).is_dir()]


def spark_env(
    parquet: Path, tables: list[str], warehouse: Path, master: str | None, as_of: str | None
) -> dict[str, str]:
    env = dbt_env(warehouse / "unused.duckdb", None, as_of)
    env.update(
        JAVA_HOME=java_home(),
        EROS_RAW_PARQUET=str(parquet),
        EROS_RAW_PARQUET_TABLES=",".join(tables),
        EROS_SPARK_WAREHOUSE=str(warehouse),
    )
    env.setdefault("SPARK_CONF_DIR", str(Path(__file__).with_name("spark_conf")))
    if master:
        env["EROS_SPARK_MASTER"] = master
    return env


def build_spark(
    raw_parquet: str | Path,
    db: str | Path | None = None,
    as_of: str | None = None,
    master: str | None = None,
    output: Output = "progress",
    strict: bool = False,
    unit_tests: bool = False,
) -> Path:
    """dbt build on Spark from the raw Parquet folders (every model and data test, as a DuckDB
    build; with ``unit_tests`` the unit tests too), then the serving DuckDB file loaded from the
    marts into a temporary file next to ``db`` and swapped in only when everything passed."""
    parquet, tables = raw_parquet_tables(raw_parquet)
    db_path = target_path(db)
    arguments = ["build", "--target", "spark"]
    if not unit_tests:
        arguments += ["--exclude-resource-type", "unit_test"]
    with (
        publishing(db_path, quiet=output == "quiet") as temporary,
        tempfile.TemporaryDirectory(prefix="eros-spark-") as work,
    ):
        warehouse, target = Path(work) / "warehouse", Path(work) / "target"
        env = spark_env(parquet, tables, warehouse, master, as_of)
        run = run_dbt(arguments, env, output=output, target=target)
        if not run.ok:
            error = BuildInputError if input_error(run.reason) else BuildError
            raise error(f"Spark build failed, {db_path} unchanged: {run.failure()}")
        manifest = json.loads((target / "manifest.json").read_text())
        load_serving(temporary, serving_nodes(manifest), warehouse)
        check_freshness(temporary, db_path, strict, output)
    return db_path


def build_command(args: argparse.Namespace, output: str) -> Path:
    """``eros-volume build --engine spark``: its arguments checked, then :func:`build_spark`."""
    if args.engine != "spark":
        raise BuildInputError("--raw-parquet and --spark-master need --engine spark")
    if not args.raw_parquet or args.raw:
        raise BuildInputError(
            "--engine spark reads --raw-parquet DIR (see export-parquet), not --raw"
        )
    return build_spark(
        args.raw_parquet, db=args.db, as_of=args.as_of, master=args.spark_master,
        output=output, strict=args.strict,  # type: ignore[arg-type]
    )  # fmt: skip


@dataclass(frozen=True)
class ServingNode:
    """A model or seed the serving DuckDB file holds (all but staging: one row per creator or
    fewer), as dbt built it on Spark."""

    name: str
    schema: str
    materialized: str
    parents: tuple[str, ...]
    lookup_index: str | None


def serving_nodes(manifest: dict) -> list[ServingNode]:
    """The nodes to load, tables before the views over them, from dbt's manifest."""
    names = {
        key: node["alias"]
        for key, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    }
    nodes = []
    for key, node in manifest["nodes"].items():
        if key not in names or node["original_file_path"].startswith("models/staging/"):
            continue
        config = node["config"]
        parents = node.get("depends_on", {}).get("nodes", [])
        nodes.append(
            ServingNode(
                name=node["alias"],
                schema=node["schema"],
                materialized=config.get("materialized") or "seed",
                parents=tuple(names[parent] for parent in parents if parent in names),
                lookup_index=(config.get("meta") or {}).get("lookup_index"),
            )
        )
    return sorted(nodes, key=lambda node: node.materialized == "view")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_serving(path: Path, nodes: list[ServingNode], warehouse: Path) -> None:
    """Copy the Spark tables (Parquet under ``warehouse``) into a new DuckDB file at ``path``;
    a view becomes a view over its one parent, as in a DuckDB build."""
    with duckdb.connect(str(path)) as con:
        for node in nodes:
            if node.materialized == "view":
                if len(node.parents) != 1:
                    raise BuildError(f"cannot serve view {node.name}: it reads {node.parents}")
                con.execute(
                    f"create view {_quote(node.name)} as select * from {_quote(node.parents[0])}"
                )
                continue
            files = warehouse / f"{node.schema.lower()}.db" / node.name.lower() / "*.parquet"
            con.execute(
                f"create table {_quote(node.name)} as"
                f" select * from read_parquet({_sql_string(str(files))})"
            )
            if node.lookup_index:
                con.execute(
                    f"create unique index {_quote(node.name + '__' + node.lookup_index)}"
                    f" on {_quote(node.name)} ({_quote(node.lookup_index)})"
                )

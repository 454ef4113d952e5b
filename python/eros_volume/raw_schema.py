"""The raw tables (SPEC 1), defined once: ``raw_schema.sql``, the original operational SQLite DDL.

Everything that writes raw tables reads it through this module: the demo database
(:mod:`eros_volume.demo`), the seed writer (``scripts/make_demo_data.py``), the generator, the
tracking job and the test fixtures. SQLite itself parses the file (in memory); the column lists,
keys and defaults come from its catalog, and the same tables are rendered for DuckDB and
PostgreSQL. The renderings leave out the generated columns of ``mass_messages`` (computed
ratios no reader uses); the DuckDB one also leaves out the secondary indexes (DuckDB prunes
scans by zone maps).

Stdlib only: ``scripts/make_demo_data.py`` imports it without the project's dependencies.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

RAW_SCHEMA_PATH = Path(__file__).with_name("raw_schema.sql")
DIALECTS = ("sqlite", "duckdb", "postgres")
# SQLite's declared types in the other dialects.
_TYPES = {
    "duckdb": {"TEXT": "varchar", "INTEGER": "bigint", "REAL": "double"},
    "postgres": {"TEXT": "text", "INTEGER": "bigint", "REAL": "double precision"},
}
_AUTOINCREMENT = re.compile(r"^\s*(\w+)\s+INTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT", re.I | re.M)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # SQLite's declared type: TEXT, INTEGER or REAL
    not_null: bool
    default: str | None  # SQL text, as written
    primary_key: bool
    autoincrement: bool
    generated: bool


@dataclass(frozen=True)
class Table:
    name: str
    all_columns: tuple[Column, ...]
    unique: tuple[tuple[str, ...], ...]  # UNIQUE constraints, in the order of the DDL
    ddl: str  # the CREATE TABLE statement of raw_schema.sql

    @property
    def columns(self) -> tuple[Column, ...]:
        """The stored columns (what a writer writes): all but the generated ones."""
        return tuple(column for column in self.all_columns if not column.generated)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def statements() -> tuple[list[str], list[str]]:
    """The statements of raw_schema.sql, as (tables, indexes), each as written there."""
    tables: list[str] = []
    indexes: list[str] = []
    pending = ""
    for line in RAW_SCHEMA_PATH.read_text(encoding="utf-8").splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            head = " ".join(statement.split()[:2]).upper()
            (indexes if head in ("CREATE INDEX", "CREATE UNIQUE") else tables).append(statement)
            pending = ""
    if pending.strip():
        raise ValueError(f"unterminated statement in {RAW_SCHEMA_PATH}: {pending[:80]!r}")
    return tables, indexes


@functools.cache
def tables() -> dict[str, Table]:
    """Every raw table of raw_schema.sql, in the file's order."""
    found: dict[str, Table] = {}
    con = sqlite3.connect(":memory:")
    try:
        for ddl in statements()[0]:
            before = {row[0] for row in con.execute("select name from sqlite_master")}
            con.execute(ddl)
            (name,) = [
                row[0]
                for row in con.execute("select name from sqlite_master where type = 'table'")
                if row[0] not in before and not row[0].startswith("sqlite_")
            ]
            found[name] = _read_table(con, name, ddl)
    finally:
        con.close()
    return found


def _read_table(con: sqlite3.Connection, name: str, ddl: str) -> Table:
    autoincrement = {match.lower() for match in _AUTOINCREMENT.findall(ddl)}
    columns = tuple(
        Column(
            name=column,
            type=declared.split()[0].upper(),
            not_null=bool(not_null),
            default=default,
            primary_key=bool(pk),
            autoincrement=column.lower() in autoincrement,
            generated=hidden != 0,
        )
        for _, column, declared, not_null, default, pk, hidden in con.execute(
            f"pragma table_xinfo({name})"
        )
    )
    unique = []
    for _, index, is_unique, origin, _partial in reversed(
        con.execute(f"pragma index_list({name})").fetchall()
    ):
        if is_unique and origin == "u":
            info = con.execute(f"pragma index_info({index})").fetchall()
            unique.append(tuple(row[2] for row in sorted(info)))
    return Table(name=name, all_columns=columns, unique=tuple(unique), ddl=ddl)


TABLES: tuple[str, ...] = tuple(tables())


def columns(table: str) -> list[str]:
    """The stored columns of ``table``, in the DDL's order."""
    return tables()[table].column_names


def column_type(column: Column, dialect: str) -> str:
    return column.type if dialect == "sqlite" else _TYPES[dialect][column.type]


def sequence_name(table: str, column: str) -> str:
    return f"{table}_{column}_seq"


def autoincrement_column(table: str) -> str | None:
    found = [column.name for column in tables()[table].columns if column.autoincrement]
    return found[0] if found else None


def create_table(
    table: str, dialect: str, sequence_start: int = 1, rowid_key: bool = False
) -> list[str]:
    """The statements that create ``table`` in ``dialect``: raw_schema.sql's own statement on
    SQLite; on DuckDB a sequence for an AUTOINCREMENT key (starting at ``sequence_start``) and
    the table; on PostgreSQL the table with an identity key. ``rowid_key``: DuckDB's syntax for
    a table DuckDB creates in an attached SQLite file, the key an INTEGER PRIMARY KEY (SQLite
    assigns it)."""
    spec = tables()[table]
    if dialect == "sqlite":
        return [spec.ddl]
    single = {names[0] for names in spec.unique if len(names) == 1}
    key_style = "rowid" if rowid_key else dialect
    lines = [f"    {_column_sql(table, c, key_style, c.name in single)}" for c in spec.columns]
    lines += [f"    unique ({', '.join(names)})" for names in spec.unique if len(names) > 1]
    body = ",\n".join(lines)
    create = [f"create table {table} (\n{body}\n)"]
    key = autoincrement_column(table)
    if dialect == "duckdb" and key and not rowid_key:
        sequence = sequence_name(table, key)
        return [f"create sequence if not exists {sequence} start with {sequence_start}", *create]
    return create


def _column_sql(table: str, column: Column, key_style: str, unique: bool) -> str:
    """One column's definition; ``key_style`` is the dialect, or "rowid" (see create_table)."""
    rowid = column.autoincrement and key_style == "rowid"
    dialect = "duckdb" if key_style == "rowid" else key_style
    parts = [column.name, "integer" if rowid else column_type(column, dialect)]
    if column.autoincrement and dialect == "postgres":
        parts.append("generated by default as identity")
    if column.primary_key:
        parts.append("primary key")
    if column.autoincrement and key_style == "duckdb":
        parts.append(f"default nextval('{sequence_name(table, column.name)}')")
    if unique:
        parts.append("unique")
    if column.not_null and not column.primary_key:
        parts.append("not null")
    if column.default is not None:
        parts.append(f"default {column.default}")
    return " ".join(parts)


def create_indexes(dialect: str) -> list[str]:
    """The secondary indexes of raw_schema.sql (none on DuckDB)."""
    return [] if dialect == "duckdb" else statements()[1]

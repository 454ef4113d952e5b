"""PostgreSQL as the raw database (SPEC 11): ``--raw postgresql://user[:password]@host:port/db``.

DuckDB's postgres scanner (the pip package ``duckdb-extension-postgres-scanner``, installed
offline like the SQLite one) attaches the database: read-only for a build, which copies the
window into the build file as for SQLite; read-write for ``track``, whose upsert runs in one
PostgreSQL transaction. The raw tables are read from the ``public`` schema.

:func:`write_raw_postgres` loads raw tables (the demo, a test's rows) into a PostgreSQL database
in the original schema, rendered from the one raw schema (:mod:`eros_volume.raw_schema`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import duckdb

from . import raw_schema
from .build import BuildError, BuildInputError
from .extensions import duckdb_config, ensure_postgres_extension

URL_SCHEMES = ("postgresql://", "postgres://")
SCHEMA = "public"
# Connection failures that are the caller's input (credentials, names), not the server's state.
_INPUT_FAILURES = (
    "password authentication failed",
    "no password supplied",
    "does not exist",
    "invalid connection option",
    "invalid URI",
    "missing \"=\"",
)


def is_postgres_url(text: object) -> bool:
    return isinstance(text, str) and text.startswith(URL_SCHEMES)


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    netloc = f"{parts.username or ''}:***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def one_line(exc: BaseException, url: str = "") -> str:
    """The error's text on one line, without DuckDB's prefix, the password of ``url`` (a
    PostgreSQL URL, if any) hidden."""
    text = " ".join(str(exc).split())
    parts = urlsplit(url) if is_postgres_url(url) else None
    if parts and parts.password:
        text = text.replace(url, redact(url)).replace(parts.password, "***")
    text = re.sub(r"^IO Error: ", "", text)
    return re.sub(r'^Unable to connect to Postgres at "[^"]*": ', "", text)


def attach(con: duckdb.DuckDBPyConnection, url: str, alias: str, read_only: bool) -> None:
    """Attach the PostgreSQL database at ``url`` as ``alias``; BuildInputError (bad
    credentials or names) or BuildError (unreachable) in one line otherwise."""
    mode = ", read_only" if read_only else ""
    try:
        con.execute(f"attach '{_sql_string(url)}' as {alias} (type postgres{mode})")
    except duckdb.Error as exc:
        message = f"cannot connect to PostgreSQL {redact(url)}: {one_line(exc, url)}"
        if any(marker in message for marker in _INPUT_FAILURES):
            raise BuildInputError(message) from None
        raise BuildError(message) from None


def check_connection(url: str) -> None:
    """Install the scanner and attach the database once, read-only, to fail early and in one
    line on a wrong password, a missing database or an unreachable server."""
    ensure_postgres_extension()
    con = duckdb.connect(config=duckdb_config())
    try:
        attach(con, url, "raw_check", read_only=True)
    finally:
        con.close()


def write_raw_postgres(
    url: str, tables: Mapping[str, list[dict]], replace: bool = False
) -> dict[str, int]:
    """Create the raw tables of ``tables`` (table -> rows as dicts; every raw table is created)
    in the ``public`` schema of the database at ``url`` and insert the rows, in one
    transaction. Existing raw tables are an error unless ``replace`` (then dropped first)."""
    ensure_postgres_extension()
    con = duckdb.connect(config=duckdb_config())
    try:
        attach(con, url, "pg", read_only=False)
        present = _present_tables(con)
        if present and not replace:
            raise BuildInputError(
                f"{redact(url)} already holds raw table(s) {', '.join(present)}; "
                "use --force to replace them"
            )
        con.execute("begin transaction")
        for table in present:
            execute(con, "pg", f"drop table {SCHEMA}.{table}")
        for table in raw_schema.TABLES:
            for statement in raw_schema.create_table(table, "postgres"):
                execute(con, "pg", statement)
        for statement in raw_schema.create_indexes("postgres"):
            execute(con, "pg", statement)
        con.execute("call pg_clear_cache()")
        for table, rows in tables.items():
            _insert(con, table, rows)
        con.execute("commit")
    except duckdb.Error as exc:
        raise BuildError(f"loading {redact(url)} failed: {one_line(exc, url)}") from None
    finally:
        con.close()
    return {table: len(rows) for table, rows in tables.items()}


def _present_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = ", ".join(f"'{table}'" for table in raw_schema.TABLES)
    rows = con.execute(
        "select table_name from duckdb_tables()"
        f" where database_name = 'pg' and schema_name = '{SCHEMA}' and table_name in ({names})"
        " order by table_name"
    ).fetchall()
    return [row[0] for row in rows]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Insert ``rows`` through a typed temporary table; move an identity key past them."""
    if not rows:
        return
    spec = raw_schema.tables()[table]
    names = [c.name for c in spec.columns if c.name in rows[0]]
    types = {c.name: raw_schema.column_type(c, "duckdb") for c in spec.columns}
    con.execute(
        f"create or replace temp table load_rows ({', '.join(f'{n} {types[n]}' for n in names)})"
    )
    marks = ", ".join("?" for _ in names)
    con.executemany(
        f"insert into temp.load_rows values ({marks})",
        [[row.get(name) for name in names] for row in rows],
    )
    columns = ", ".join(names)
    con.execute(f"insert into pg.{SCHEMA}.{table} ({columns}) select {columns} from temp.load_rows")
    key = raw_schema.autoincrement_column(table)
    if key in names:
        execute(
            con,
            "pg",
            f"select setval(pg_get_serial_sequence('{SCHEMA}.{table}', '{key}'),"
            f" (select coalesce(max({key}), 0) + 1 from {SCHEMA}.{table}), false)",
        )


def execute(con: duckdb.DuckDBPyConnection, alias: str, statement: str) -> None:
    """Run ``statement`` in the PostgreSQL database attached as ``alias`` itself, inside
    DuckDB's open transaction on it (DDL included: it rolls back with the transaction)."""
    con.execute(f"call postgres_execute('{alias}', '{_sql_string(statement)}')")


def _sql_string(text: str) -> str:
    return text.replace("'", "''")

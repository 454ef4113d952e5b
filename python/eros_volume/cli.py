"""The eros-volume command line: build, serve, show, the legacy lookups, the tracking job (track),
the demo database (demo-db), the generator, the monitoring dashboard, the volume_assignments audit
and the MCP server.

Every subcommand is registered the same way (``@command`` with shared options, as sqlfluff's
``cli/commands.py``), prints through :mod:`.render`, and reports bad input as one
``eros-volume: error: ...`` line with exit 2 (a failed build or an unreadable build file: 1;
Ctrl-C: 130; SIGTERM: 143), never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from . import api, render
from .build import BuildError, BuildInputError, build
from .render import Column
from .store import StoreUnavailable

Handler = Callable[[argparse.Namespace], None]
Option = tuple[tuple[str, ...], dict[str, Any]]


class UsageError(Exception):
    """Bad input: reported as one line, exit code 2."""


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that cleanups run (exit 143)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


# --- registration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    help: str
    description: str
    options: tuple[Option, ...]


COMMANDS: list[Command] = []


def option(*flags: str, **kwargs: Any) -> Option:
    return flags, kwargs


DB = option("--db", help="build file (default $EROS_VOLUME_DB or build/eros_volume.duckdb)")
JSON = option("--json", action="store_true", help="JSON output")
QUIET = option("--quiet", action="store_true", help="print errors only")
VERBOSE = option("--verbose", action="store_true", help="print dbt's own log lines")
RAW = option(
    "--raw", help="operational SQLite, DuckDB or postgresql:// database (default $EROS_RAW_DB)"
)
AS_OF = option("--as-of", help="'YYYY-MM-DD HH:MM:SS' the configuration is for")
CREATOR = option("creator", help="creator_id or page_name")
SET = option(
    "--set",
    action="append",
    metavar="VAR=VALUE",
    help="set a rule var of dbt_project.yml (repeatable)",
)


def command(name: str, help_text: str, *options: Option, description: str = "") -> Callable:
    """Register the decorated handler as subcommand ``name`` with ``options``."""

    def register(handler: Handler) -> Handler:
        COMMANDS.append(Command(name, handler, help_text, description or help_text, options))
        return handler

    return register


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one line, as every other error."""

    def error(self, message: str) -> NoReturn:
        subcommand = self.prog.split()[1:]  # "eros-volume build" -> ["build"]
        print(render.error_line(": ".join([*subcommand, message])), file=sys.stderr)
        sys.exit(2)


def parser() -> Parser:
    top = Parser(prog="eros-volume", description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for spec in COMMANDS:
        sub = commands.add_parser(spec.name, help=spec.help, description=spec.description)
        sub.set_defaults(handler=spec.handler)
        for flags, kwargs in spec.options:
            sub.add_argument(*flags, **kwargs)
    return top


# --- shared helpers ------------------------------------------------------------------------------


def answer(result: Any) -> Any:
    """A wrapper answer, or UsageError when it is a legacy error dict."""
    if is_error(result):
        raise UsageError(result["error"])
    return result


def is_error(result: Any) -> bool:
    return isinstance(result, dict) and set(result) == {"error"}


def emit(result: Any, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    print(render.as_json(result) if as_json or text is None else text(result))


def output_file(path: str | None) -> None:
    """An output path is refused (exit 2, before any work) when its folder does not exist."""
    if path is not None and not Path(path).expanduser().absolute().parent.is_dir():
        raise UsageError(f"no such directory: {Path(path).expanduser().absolute().parent}")


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The checked ``--set VAR=VALUE`` options (UsageError before any work)."""
    from .rule_vars import RuleVarError, parse_settings

    try:
        return parse_settings(args.set)
    except RuleVarError as exc:
        raise UsageError(str(exc)) from None


def output_mode(args: argparse.Namespace) -> str:
    return "quiet" if args.quiet else "verbose" if getattr(args, "verbose", False) else "progress"


# --- build and serve -----------------------------------------------------------------------------


@command(
    "build",
    "build the DuckDB file with dbt (demo data unless --raw)",
    DB, RAW, AS_OF, QUIET, VERBOSE, SET,
    option("--strict", action="store_true",
           help="fail (keeping the previous build) when the data is older than stale_data_days"),
    option("--engine", choices=("duckdb", "spark"), default="duckdb",
           help="where dbt computes the marts (spark: pip install '.[spark]', docs/spark.md)"),
    option("--raw-parquet", metavar="DIR", help="Spark: the raw tables as Parquet folders"),
    option("--spark-master", metavar="URL", help="Spark: the master (default local[2])"),
)  # fmt: skip
def cmd_build(args: argparse.Namespace) -> None:
    mode = output_mode(args)
    if args.engine == "spark" or args.raw_parquet or args.spark_master:
        from .spark_engine import build_command

        path = build_command(args, mode)
    else:
        path = build(
            db=args.db,
            raw=args.raw,
            as_of=args.as_of,
            output=mode,  # type: ignore[arg-type]
            strict=args.strict,
            settings=settings(args),
        )
    if mode != "quiet":
        print(f"built {path}", file=sys.stderr)


@command(
    "serve",
    "keep the build file fresh: refresh it on a schedule and when the raw database changes",
    DB, RAW, AS_OF, SET,
    option("--every", default="10m", help="refresh interval: 30s, 10m, 2h (default 10m)"),
)  # fmt: skip
def cmd_serve(args: argparse.Namespace) -> None:
    from .serve import run_serve

    run_serve(
        db=args.db, raw=args.raw, every=args.every, as_of=args.as_of, settings=settings(args)
    )


# --- change control ------------------------------------------------------------------------------


@command(
    "changes",
    "what changed at the serving publication (or every publication since a day), and why",
    DB, JSON,
    option("--since", metavar="DATE", help="publications of this day (YYYY-MM-DD) and later"),
    option("--creator", help="one creator (creator_id or page_name)"),
)  # fmt: skip
def cmd_changes(args: argparse.Namespace) -> None:
    result = answer(api.connect(args.db).get_volume_changes(args.creator, since=args.since))
    emit(result, args.json, render.render_changes)


@command(
    "what-if",
    "recompute the serving build with changed rules (a temporary file; never replaces it)",
    DB, SET, JSON, VERBOSE,
    option("--tiers", metavar="FILE.csv", help="another volume_tiers table"),
)  # fmt: skip
def cmd_what_if(args: argparse.Namespace) -> None:
    from .whatif import what_if

    chosen = settings(args)
    if not chosen and not args.tiers:
        raise UsageError("what-if needs at least one --set VAR=VALUE or --tiers FILE.csv")
    result = what_if(chosen, tiers=args.tiers, db=args.db, echo=args.verbose)
    emit(result, args.json, render.render_what_if)


# --- lookups -------------------------------------------------------------------------------------

SHOW_COLUMNS = (
    Column("creator_id", "creator"),
    Column("volume_level", "level"),
    Column("fan_count", "fans", "count"),
    Column("page_type", "page"),
    Column("revenue_items_per_day", "rev", "count", "revenue items per day"),
    Column("engagement_items_per_day", "eng", "count", "engagement items per day"),
    Column("retention_items_per_day", "ret", "count", "retention items per day"),
    Column("followup_per_day", "f-up", "count", "follow-ups per day"),
    Column("saturation_score", "sat", "decimal", "saturation score (0-100)"),
    Column("opportunity_score", "opp", "decimal", "opportunity score (0-100)"),
    Column("revenue_trend", "trend", "decimal", "revenue trend (% change)"),
    Column("data_source", "source"),
    Column("data_quality_flags", "flags", "list"),
)
CREATOR_COLUMNS = (
    Column("creator_id", "creator"),
    Column("page_name", "page"),
    Column("page_type", "type"),
    Column("current_active_fans", "fans", "count"),
    Column("current_total_earnings", "earnings", "money"),
    Column("performance_tier", "tier", "count", "performance tier"),
)


@command(
    "show",
    "print volume configurations (all creators if none named), the build's as_of and data age",
    DB, JSON,
    option("creators", nargs="*", metavar="CREATOR", help="creator_id or page_name"),
    option("--explain", action="store_true", help="print each row's explanation"),
    description="Print volume configurations (all creators if none named). With several names, "
    "the ones found are printed and each one not found is an error line (exit 2).",
)  # fmt: skip
def cmd_show(args: argparse.Namespace) -> None:
    store = api.connect(args.db)
    if args.creators:
        answers = [store.get_volume_config(creator) for creator in args.creators]
    else:
        answers = store.all_volume_configs()
    rows = [row for row in answers if not is_error(row)]
    errors = [row["error"] for row in answers if is_error(row)]
    if rows and args.json:
        print(render.as_json(rows))
    elif rows and args.explain:
        print("\n".join(f"{row['creator_id']}: {row['explanation']}" for row in rows))
    elif rows:
        footer = [render.freshness_line(store.freshness()), render.legend(SHOW_COLUMNS)]
        print("\n".join([render.table(rows, SHOW_COLUMNS), *filter(None, footer)]))
    for message in errors[:-1]:
        print(render.error_line(message), file=sys.stderr)
    if errors:
        raise UsageError(errors[-1])


@command("assignment", "legacy (deprecated) volume assignment", DB, CREATOR, JSON)
def cmd_assignment(args: argparse.Namespace) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = answer(api.connect(args.db).get_volume_assignment(args.creator))
    emit(result, args.json, render.key_values)


@command(
    "creators",
    "active creators by earnings",
    DB, JSON,
    option("--tier", help="performance tier 1-5 or volume level name (Low, Mid, High, Ultra)"),
    option("--page-type", help="paid or free"),
)  # fmt: skip
def cmd_creators(args: argparse.Namespace) -> None:
    tier: int | str | None = args.tier
    if tier is not None and tier.lstrip("-").isdigit():
        tier = int(tier)
    result = answer(api.connect(args.db).get_active_creators(tier=tier, page_type=args.page_type))
    emit(result, args.json, lambda r: render.counted(r["creators"], CREATOR_COLUMNS, "creators"))


@command("profile", "creator profile with volume configuration (JSON)", DB, CREATOR)
def cmd_profile(args: argparse.Namespace) -> None:
    emit(answer(api.connect(args.db).get_creator_profile(args.creator)), True)


# --- raw databases -------------------------------------------------------------------------------


@command(
    "track",
    "tracking job: upsert the day's scores into the raw database",
    RAW,
    option("--as-of", help="'YYYY-MM-DD HH:MM:SS' (default: now, in raw_timezone)"),
    option("--from", metavar="DATE", help="backfill from this day (YYYY-MM-DD)"),
    option("--to", metavar="DATE", help="backfill to this day (default: --from)"),
    QUIET,
    description="Compute the tracking rows of the day of --as-of (or of each day of --from..--to) "
    "and upsert them into the operational database's volume_performance_tracking table, in one "
    "transaction. The only command that writes to the raw database.",
)  # fmt: skip
def cmd_track(args: argparse.Namespace) -> None:
    from .track import check_arguments, track

    first, last = getattr(args, "from"), args.to
    check_arguments(args.raw, args.as_of, first, last)
    result = track(
        raw=args.raw, as_of=args.as_of, tracking_from=first, tracking_to=last, echo=not args.quiet
    )
    if not result.rows:
        print(
            f"no creator had enough messages to be scored: nothing written to {result.raw}",
            file=sys.stderr,
        )
        return
    print(result.summary())


@command(
    "export-parquet",
    "write the raw tables as Parquet, one folder per table (for build --engine spark)",
    option("--raw", required=True, help="operational SQLite or DuckDB database"),
    option("out_dir", metavar="OUT_DIR", help="folder to write the table folders into"),
    description="Write the raw tables of an operational SQLite or DuckDB database as Parquet, one "
    "folder per table, in the original schema: the input of `build --engine spark --raw-parquet`.",
)  # fmt: skip
def cmd_export_parquet(args: argparse.Namespace) -> None:
    from .spark_engine import export_parquet

    counts = export_parquet(args.raw, args.out_dir)
    rows = ", ".join(f"{table} {n}" for table, n in counts.items())
    print(f"wrote {args.out_dir} (Parquet, one folder per table): {rows}")


@command(
    "demo-db",
    "write the bundled demo data as a SQLite database in the original schema",
    option("path", help="the SQLite file to write, or a postgresql:// URL"),
    option("--force", action="store_true", help="replace an existing file"),
    option("--shift-to-today", action="store_true",
           help="move every date and timestamp so that the demo's as_of day is today"),
    description="Write the bundled demo data as a SQLite database in the original schema, to try "
    "track and every --raw command on.",
)  # fmt: skip
def cmd_demo_db(args: argparse.Namespace) -> None:
    import os

    from .demo import days_to_today, demo_as_of, write_demo_db
    from .postgres import is_postgres_url, redact

    shown = redact(args.path) if is_postgres_url(args.path) else args.path
    kind = "PostgreSQL" if is_postgres_url(args.path) else "SQLite"
    if os.path.lexists(args.path) and not args.force:
        raise UsageError(f"{args.path} exists; use --force to replace it")
    days = days_to_today() if args.shift_to_today else 0
    counts = write_demo_db(args.path, force=args.force, shift_days=days)
    rows = ", ".join(f"{table} {n}" for table, n in counts.items())
    print(f"wrote {shown} ({kind}, original schema): {rows}")
    if days:
        print(
            f"every date and timestamp moved by {days} days: try `eros-volume track --raw "
            f"{shown}` and `eros-volume build --raw {shown}`"
        )
    else:
        print(
            f"the demo is dated around {demo_as_of()}: try `eros-volume track --raw "
            f"{shown} --as-of '{demo_as_of()}'` and the same --as-of with build"
        )


@command(
    "generate",
    "write a deterministic raw database in the original schema (benchmarks)",
    option("--creators", type=int, required=True),
    option("--days", type=int, required=True, help="days of message history"),
    option("--messages-per-creator-per-day", type=float, required=True),
    option("--out", required=True, help="file to write"),
    option("--format", choices=("sqlite", "duckdb"), default="sqlite"),
    option("--seed", type=int, default=0),
    option("--as-of", help="end of the history (default: today 12:00:00)"),
    option("--force", action="store_true", help="replace an existing file"),
    option("--quiet", action="store_true", help="no progress lines"),
)  # fmt: skip
def cmd_generate(args: argparse.Namespace) -> None:
    output_file(args.out)
    if args.creators < 1 or args.days < 1 or args.messages_per_creator_per_day < 0:
        raise UsageError("--creators and --days must be at least 1, messages per day at least 0")
    from .generate import generate

    try:
        counts = generate(
            args.out, args.creators, args.days, args.messages_per_creator_per_day,
            fmt=args.format, seed=args.seed, as_of=args.as_of, progress=not args.quiet,
            overwrite=args.force,
        )  # fmt: skip
    except FileExistsError:
        raise UsageError(f"{args.out} exists; use --force to replace it") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    print(render.as_json({"out": args.out, **counts}, indent=None))


# --- readers of the build ------------------------------------------------------------------------


@command(
    "dashboard",
    "write the monitoring dashboard (one HTML file)",
    DB,
    option("--out", help="HTML file to write (default: dashboard.html beside the build)"),
)  # fmt: skip
def cmd_dashboard(args: argparse.Namespace) -> None:
    output_file(args.out)
    from .dashboard import write_dashboard

    print(write_dashboard(db=args.db, out=args.out))


@command("audit", "legacy volume_assignments against the dynamic result", DB, JSON)
def cmd_audit(args: argparse.Namespace) -> None:
    from .audit import audit
    from .audit import render as audit_text

    emit(audit(args.db), args.json, lambda result: audit_text(result, render.table))


@command(
    "mcp",
    "serve the legacy tools over MCP (stdio, or --http)",
    DB,
    option("--http", action="store_true", help="streamable HTTP on 127.0.0.1"),
    option("--port", type=int, default=8765, help="HTTP port (default 8765)"),
)  # fmt: skip
def cmd_mcp(args: argparse.Namespace) -> None:
    from . import mcp_server

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1-65535: {args.port}")
    if args.http:
        mcp_server.serve_http(db=args.db, port=args.port)
    else:
        mcp_server.serve_stdio(db=args.db)


# --- entry point ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even where the shell ignored it
    try:
        args.handler(args)
    except (UsageError, BuildError, StoreUnavailable) as exc:
        print(render.error_line(str(exc)), file=sys.stderr)
        return 2 if isinstance(exc, UsageError | BuildInputError) else 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("eros-volume: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("eros-volume: terminated", file=sys.stderr)
        return 143
    return 0


if __name__ == "__main__":
    sys.exit(main())

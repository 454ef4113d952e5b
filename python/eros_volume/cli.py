"""The eros-volume command line: build, show, the legacy lookups, the tracking job (track),
the demo database (demo-db), the monitoring dashboard and the volume_assignments audit."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import api
from .build import BuildError, BuildInputError, build
from .store import StoreUnavailable

SHOW_COLUMNS = (
    ("creator_id", "creator"),
    ("volume_level", "level"),
    ("fan_count", "fans"),
    ("page_type", "page"),
    ("revenue_items_per_day", "rev"),
    ("engagement_items_per_day", "eng"),
    ("retention_items_per_day", "ret"),
    ("followup_per_day", "f-up"),
    ("saturation_score", "sat"),
    ("opportunity_score", "opp"),
    ("revenue_trend", "trend"),
    ("data_source", "source"),
    ("data_quality_flags", "flags"),
)


class UsageError(Exception):
    """Bad input: reported as one line, exit code 2."""


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that cleanups run (exit 143)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def output_file(path: str | None) -> None:
    """An output path is refused (exit 2, before any work) when its folder does not exist."""
    if path is not None and not Path(path).expanduser().absolute().parent.is_dir():
        raise UsageError(f"no such directory: {Path(path).expanduser().absolute().parent}")


def store(args: argparse.Namespace) -> api.VolumeStore:
    """The build file to read (a missing or bad one raises StoreUnavailable: exit 1)."""
    return api.connect(args.db)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """A plain text table."""

    def cell(value: Any) -> str:
        if isinstance(value, list):
            return ",".join(value) or "-"
        if isinstance(value, float):
            return f"{value:g}"
        return "-" if value is None else str(value)

    cells = [[cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [
        max([len(title), *(len(line[i]) for line in cells)]) for i, (_, title) in enumerate(columns)
    ]
    lines = ["  ".join(title.ljust(w) for (_, title), w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    return "\n".join(line.rstrip() for line in lines)


def answer(result: Any) -> Any:
    """A wrapper answer, or UsageError when it is a legacy error dict."""
    if isinstance(result, dict) and set(result) == {"error"}:
        raise UsageError(result["error"])
    return result


def emit(result: Any, as_json: bool, render: Callable[[Any], str] | None = None) -> None:
    if as_json or render is None:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(render(result))


def output_mode(args: argparse.Namespace) -> str:
    return "quiet" if args.quiet else "verbose" if getattr(args, "verbose", False) else "progress"


def cmd_build(args: argparse.Namespace) -> None:
    mode = output_mode(args)
    path = build(db=args.db, raw=args.raw, as_of=args.as_of, output=mode)  # type: ignore[arg-type]
    if mode != "quiet":
        print(f"built {path}", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> None:
    from .serve import run_serve

    run_serve(db=args.db, raw=args.raw, every=args.every, as_of=args.as_of)


def cmd_show(args: argparse.Namespace) -> None:
    chosen = store(args)
    if args.creators:
        rows = [answer(chosen.get_volume_config(creator)) for creator in args.creators]
    else:
        rows = chosen.all_volume_configs()
    if args.explain and not args.json:
        for row in rows:
            print(f"{row['creator_id']}: {row['explanation']}")
        return
    emit(rows, args.json, lambda r: table(r, SHOW_COLUMNS))


def cmd_assignment(args: argparse.Namespace) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = answer(store(args).get_volume_assignment(args.creator))
    emit(result, args.json, lambda r: "\n".join(f"{k}: {v}" for k, v in r.items()))


def cmd_creators(args: argparse.Namespace) -> None:
    tier: int | str | None = args.tier
    if tier is not None and tier.lstrip("-").isdigit():
        tier = int(tier)
    result = answer(store(args).get_active_creators(tier=tier, page_type=args.page_type))
    columns = [
        ("creator_id", "creator"),
        ("page_name", "page"),
        ("page_type", "type"),
        ("current_active_fans", "fans"),
        ("current_total_earnings", "earnings"),
        ("performance_tier", "tier"),
    ]
    emit(result, args.json, lambda r: table(r["creators"], columns) + f"\n{r['count']} creators")


def cmd_profile(args: argparse.Namespace) -> None:
    emit(answer(store(args).get_creator_profile(args.creator)), True)


def cmd_track(args: argparse.Namespace) -> None:
    from .track import check_arguments, track

    check_arguments(args.raw, args.as_of, getattr(args, "from"), args.to)
    result = track(
        raw=args.raw,
        as_of=args.as_of,
        tracking_from=getattr(args, "from"),
        tracking_to=args.to,
        echo=not args.quiet,
    )
    if not result.rows:
        print(
            f"no creator had enough messages to be scored: nothing written to {result.raw}",
            file=sys.stderr,
        )
        return
    print(result.summary())


def cmd_demo_db(args: argparse.Namespace) -> None:
    import os

    from .demo import days_to_today, write_demo_db

    if os.path.lexists(args.path) and not args.force:
        raise UsageError(f"{args.path} exists; use --force to replace it")
    days = days_to_today() if args.shift_to_today else 0
    counts = write_demo_db(args.path, force=args.force, shift_days=days)
    rows = ", ".join(f"{table} {n}" for table, n in counts.items())
    print(f"wrote {args.path} (SQLite, original schema): {rows}")
    if days:
        print(
            f"every date and timestamp moved by {days} days: try `eros-volume track --raw "
            f"{args.path}` and `eros-volume build --raw {args.path}`"
        )
    else:
        from .demo import demo_as_of

        print(
            f"the demo is dated around {demo_as_of()}: try `eros-volume track --raw "
            f"{args.path} --as-of '{demo_as_of()}'` and the same --as-of with build"
        )


def cmd_generate(args: argparse.Namespace) -> None:
    output_file(args.out)
    from .generate import generate

    if args.creators < 1 or args.days < 1 or args.messages_per_creator_per_day < 0:
        raise UsageError("--creators and --days must be at least 1, messages per day at least 0")
    try:
        counts = generate(
            args.out,
            args.creators,
            args.days,
            args.messages_per_creator_per_day,
            fmt=args.format,
            seed=args.seed,
            as_of=args.as_of,
            progress=not args.quiet,
            overwrite=args.force,
        )
    except FileExistsError:
        raise UsageError(f"{args.out} exists; use --force to replace it") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    print(json.dumps({"out": args.out, **counts}))


def cmd_dashboard(args: argparse.Namespace) -> None:
    output_file(args.out)
    from .dashboard import write_dashboard

    print(write_dashboard(db=args.db, out=args.out))


def cmd_audit(args: argparse.Namespace) -> None:
    from .audit import audit, render

    result = audit(args.db)
    emit(result, args.json, lambda r: render(r, table))


def cmd_mcp(args: argparse.Namespace) -> None:
    from . import mcp_server

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1-65535: {args.port}")
    if args.http:
        mcp_server.serve_http(db=args.db, port=args.port)
    else:
        mcp_server.serve_stdio(db=args.db)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="eros-volume", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        sub.add_argument("--db", help="build file (default $EROS_VOLUME_DB or build/...)")
        return sub

    sub = command("build", cmd_build, "build the DuckDB file with dbt (demo data unless --raw)")
    sub.add_argument("--raw", help="operational SQLite or DuckDB database to read (read-only)")
    sub.add_argument("--as-of", help="'YYYY-MM-DD HH:MM:SS' the configuration is for")
    sub.add_argument("--quiet", action="store_true", help="print errors only")
    sub.add_argument("--verbose", action="store_true", help="print dbt's own log lines")

    sub = command(
        "serve",
        cmd_serve,
        "keep the build file fresh: refresh it on a schedule and when the raw database changes",
    )
    sub.add_argument("--raw", help="operational SQLite or DuckDB database (default $EROS_RAW_DB)")
    sub.add_argument("--every", default="10m", help="refresh interval: 30s, 10m, 2h (default 10m)")
    sub.add_argument("--as-of", help="pin as_of (default: the time of each refresh)")

    sub = command("show", cmd_show, "print volume configurations (all creators if none named)")
    sub.add_argument("creators", nargs="*", metavar="CREATOR", help="creator_id or page_name")
    sub.add_argument("--json", action="store_true", help="JSON output")
    sub.add_argument("--explain", action="store_true", help="print each row's explanation")

    sub = command("assignment", cmd_assignment, "legacy (deprecated) volume assignment")
    sub.add_argument("creator", help="creator_id or page_name")
    sub.add_argument("--json", action="store_true", help="JSON output")

    sub = command("creators", cmd_creators, "active creators by earnings")
    sub.add_argument("--tier", help="performance tier (integer) or volume level name")
    sub.add_argument("--page-type", help="paid or free")
    sub.add_argument("--json", action="store_true", help="JSON output")

    sub = command("profile", cmd_profile, "creator profile with volume configuration (JSON)")
    sub.add_argument("creator", help="creator_id or page_name")

    sub = commands.add_parser(
        "track",
        help="tracking job: upsert the day's scores into the raw database",
        description="Compute the tracking rows of the day of --as-of (or of each day of "
        "--from..--to) and upsert them into the operational database's "
        "volume_performance_tracking table, in one transaction. The only command that writes "
        "to the raw database.",
    )
    sub.set_defaults(handler=cmd_track)
    sub.add_argument("--raw", help="operational SQLite or DuckDB database (default $EROS_RAW_DB)")
    sub.add_argument("--as-of", help="'YYYY-MM-DD HH:MM:SS' (default: now, in raw_timezone)")
    sub.add_argument("--from", metavar="DATE", help="backfill from this day (YYYY-MM-DD)")
    sub.add_argument("--to", metavar="DATE", help="backfill to this day (default: --from)")
    sub.add_argument("--quiet", action="store_true", help="hide dbt's log lines")

    sub = commands.add_parser(
        "demo-db",
        help="write the bundled demo data as a SQLite database in the original schema",
        description="Write the bundled demo data as a SQLite database in the original schema, "
        "to try track and every --raw command on.",
    )
    sub.set_defaults(handler=cmd_demo_db)
    sub.add_argument("path", help="the SQLite file to write")
    sub.add_argument("--force", action="store_true", help="replace an existing file")
    sub.add_argument(
        "--shift-to-today",
        action="store_true",
        help="move every date and timestamp so that the demo's as_of day is today",
    )

    sub = commands.add_parser(
        "generate",
        help="write a deterministic raw database in the original schema (benchmarks)",
        description="write a deterministic raw database in the original schema (benchmarks)",
    )
    sub.set_defaults(handler=cmd_generate)
    sub.add_argument("--creators", type=int, required=True)
    sub.add_argument("--days", type=int, required=True, help="days of message history")
    sub.add_argument("--messages-per-creator-per-day", type=float, required=True)
    sub.add_argument("--out", required=True, help="file to write")
    sub.add_argument("--format", choices=("sqlite", "duckdb"), default="sqlite")
    sub.add_argument("--seed", type=int, default=0)
    sub.add_argument("--as-of", help="end of the history (default: today 12:00:00)")
    sub.add_argument("--force", action="store_true", help="replace an existing file")
    sub.add_argument("--quiet", action="store_true", help="no progress lines")

    sub = command("dashboard", cmd_dashboard, "write the monitoring dashboard (one HTML file)")
    sub.add_argument("--out", help="HTML file to write (default: dashboard.html beside the build)")

    sub = command("audit", cmd_audit, "legacy volume_assignments against the dynamic result")
    sub.add_argument("--json", action="store_true", help="JSON output")

    sub = command("mcp", cmd_mcp, "serve the legacy tools over MCP (stdio, or --http)")
    sub.add_argument("--http", action="store_true", help="streamable HTTP on 127.0.0.1")
    sub.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even where the shell ignored it
    try:
        args.handler(args)
    except (UsageError, BuildError, StoreUnavailable) as exc:
        print(f"eros-volume: error: {exc}", file=sys.stderr)
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

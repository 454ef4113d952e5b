"""The eros-volume command line: build, show and the legacy lookups (more in later commands)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import api
from .build import BuildError, build
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


def cmd_build(args: argparse.Namespace) -> None:
    path = build(db=args.db, raw=args.raw, as_of=args.as_of, echo=not args.quiet)
    print(f"built {path}", file=sys.stderr)


def cmd_show(args: argparse.Namespace) -> None:
    store = api.connect(args.db)
    if args.creators:
        rows = [answer(store.get_volume_config(creator)) for creator in args.creators]
    else:
        rows = store.all_volume_configs()
    if args.explain and not args.json:
        for row in rows:
            print(f"{row['creator_id']}: {row['explanation']}")
        return
    emit(rows, args.json, lambda r: table(r, SHOW_COLUMNS))


def cmd_assignment(args: argparse.Namespace) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = answer(api.connect(args.db).get_volume_assignment(args.creator))
    emit(result, args.json, lambda r: "\n".join(f"{k}: {v}" for k, v in r.items()))


def cmd_creators(args: argparse.Namespace) -> None:
    tier: int | str | None = args.tier
    if tier is not None and tier.lstrip("-").isdigit():
        tier = int(tier)
    result = answer(api.connect(args.db).get_active_creators(tier=tier, page_type=args.page_type))
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
    emit(answer(api.connect(args.db).get_creator_profile(args.creator)), True)


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
    sub.add_argument("--quiet", action="store_true", help="hide dbt's log lines")

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
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.handler(args)
    except (UsageError, BuildError, StoreUnavailable) as exc:
        print(f"eros-volume: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

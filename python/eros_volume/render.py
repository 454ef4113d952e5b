"""How the CLI prints things: plain text tables, key/value blocks and JSON, one way for every
command (as sqlfluff's ``cli/formatters.py``). No rule lives here, only presentation.

Numbers are formatted by the kind of their column: counts as integers, money with two decimals,
scores, percents and multipliers with two decimals; lists joined by commas; missing values as
``-``. Tables with abbreviated headers come with a legend.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["text", "count", "money", "decimal", "list"]
MISSING = "-"


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header, how its values print, and (for an abbreviated
    header) what the header means, for the legend."""

    key: str
    title: str
    kind: Kind = "text"
    meaning: str = ""


def cell(value: Any, kind: Kind = "text") -> str:
    """One value as table text."""
    if value is None:
        return MISSING
    if kind == "list" or isinstance(value, list | tuple):
        return ",".join(map(str, value)) or MISSING
    if kind in ("money", "decimal") and isinstance(value, int | float):
        return f"{value:.2f}"
    if kind == "count" and isinstance(value, int | float):
        return str(int(value))
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Column | tuple[str, str]]) -> str:
    """Rows as a plain text table (header, then one line per row; numbers right-aligned).
    A column is a :class:`Column` or a plain ``(key, title)`` pair."""
    columns = [c if isinstance(c, Column) else Column(*c) for c in columns]
    cells = [[cell(row.get(c.key), c.kind) for c in columns] for row in rows]
    widths = [max([len(c.title), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]

    def line(values: Iterable[str]) -> str:
        parts = []
        for value, width, column in zip(values, widths, columns, strict=True):
            numeric = column.kind in ("count", "money", "decimal")
            parts.append(value.rjust(width) if numeric else value.ljust(width))
        return "  ".join(parts).rstrip()

    return "\n".join([line(c.title for c in columns), *(line(row) for row in cells)])


def counted(rows: Sequence[dict[str, Any]], columns: Sequence[Column], noun: str) -> str:
    """A table, then ``<n> <noun>``."""
    return f"{table(rows, columns)}\n{len(rows)} {noun}"


def legend(columns: Sequence[Column]) -> str:
    """``legend: rev = revenue items per day; ...`` for the abbreviated headers."""
    meanings = [f"{c.title} = {c.meaning}" for c in columns if c.meaning]
    return "legend: " + "; ".join(meanings) if meanings else ""


def key_values(mapping: dict[str, Any]) -> str:
    """``key: value`` lines."""
    return "\n".join(f"{key}: {cell(value)}" for key, value in mapping.items())


def as_json(value: Any, indent: int | None = 2) -> str:
    """JSON, indented unless ``indent`` is None (dates and other non-JSON values as text)."""
    return json.dumps(value, indent=indent, default=str)


def _age(what: str, newest: Any, days: Any) -> str:
    if newest is None:
        return f"no {what}"
    return f"newest {what} {newest} ({days} day{'' if days == 1 else 's'} before as_of)"


def freshness_line(freshness: dict[str, Any] | None) -> str:
    """``as_of ...; newest message ... (n days before as_of), ...`` from the data_freshness mart;
    empty for a build without it."""
    if not freshness:
        return ""
    return (
        f"as_of {freshness['as_of']}; "
        f"{_age('message', freshness['newest_message_at'], freshness['message_age_days'])}, "
        f"{_age('tracking row', freshness['newest_tracking_date'], freshness['tracking_age_days'])}"
    )


def stale_data(freshness: dict[str, Any] | None) -> str:
    """The one-line warning for a build whose data is stale (the mart says which), else empty."""
    if not freshness:
        return ""
    stale = [
        _age(what, freshness[newest], freshness[age])
        for what, newest, age, flag in (
            ("message", "newest_message_at", "message_age_days", "messages_stale"),
            ("tracking row", "newest_tracking_date", "tracking_age_days", "tracking_stale"),
        )
        if freshness[flag]
    ]
    if not stale:
        return ""
    return (
        f"stale data for as_of {freshness['as_of']}: {', '.join(stale)}; "
        f"more than stale_data_days = {freshness['stale_data_days']}"
    )


def error_line(message: str) -> str:
    """The one line every error is reported as."""
    return f"eros-volume: error: {message}"


def warning_line(message: str) -> str:
    return f"eros-volume: warning: {message}"


# Change control (changes, what-if).
SHORT = {
    "volume_level": "level",
    "revenue_items_per_day": "rev",
    "engagement_items_per_day": "eng",
    "retention_items_per_day": "ret",
    "followup_per_day": "f-up",
    "bundle_per_week": "bundle",
    "game_per_week": "game",
}


def moves(row: dict[str, Any]) -> str:
    """'level Mid->High, rev 3->4' for the fields that moved (all of them for a new creator)."""
    parts = []
    for field, short in SHORT.items():
        old, new = row.get(f"old_{field}"), row.get(f"new_{field}")
        if old is None:
            parts.append(f"{short} {new}")
        elif old != new:
            parts.append(f"{short} {old}->{new}")
    return ", ".join(parts)


def render_changes(result: dict[str, Any]) -> str:
    lines = [
        f"{row['as_of']}  {row['creator_id']}  {row['change_type']}: {moves(row)}\n"
        f"    {row['reason']}"
        for row in result["changes"]
    ]
    lines.append(f"{result['count']} changes")
    return "\n".join(lines)


def render_what_if(result: dict[str, Any]) -> str:
    settings = ", ".join(f"{name}={value}" for name, value in result["settings"].items())
    by_level = ", ".join(f"{level} {n}" for level, n in result["changed_by_level"].items())
    sends = result["active_sends_per_day"]
    lines = [
        f"what-if on the serving build (as_of {result['as_of']}): {settings or 'tiers file'}",
        f"{result['changed']} creators change" + (f" (now {by_level})" if by_level else ""),
    ]
    for row in result["changes"]:
        lines.append(f"  {row['creator_id']}: {moves(row)}")
        lines.append(f"      {row['explanation']}")
    lines.append(f"sends per day over active creators: {sends['before']} -> {sends['after']}")
    return "\n".join(lines)

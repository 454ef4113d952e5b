"""The monitoring dashboard: one self-contained HTML file (inline CSS and SVG, no script, no
network), drawn from the marts of a build file.

Panels: creators per tier and per data source; saturation against opportunity, coloured by tier,
with the rule thresholds of the build (``volume_rule_thresholds``); the over-saturated and the
high-opportunity creators (``volume_score_monitor``'s flags); the age of each creator's tracking
data and its score history (``volume_score_history``); and where the dynamic result differs from
the legacy ``volume_assignments`` (``volume_assignment_audit``). Every figure and threshold comes
from the marts; this module only lays them out.

Elements carry ``data-*`` attributes (tier, source, creator, list) so that tests can read the
figures back.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter, defaultdict
from html import escape
from pathlib import Path
from typing import Any

from .audit import COUNTS_SQL as AUDIT_COUNTS_SQL
from .audit import ROWS_SQL as AUDIT_ROWS_SQL
from .store import default_db_path, fetch_dicts, read_connection

SOURCE_ORDER = ("volume_performance_tracking", "calculated_on_demand", "default_values")
SOURCE_LABELS = {
    "volume_performance_tracking": "tracking",
    "calculated_on_demand": "on demand",
    "default_values": "defaults",
}
SOURCE_COLOURS = {
    "volume_performance_tracking": "#2f9e44",
    "calculated_on_demand": "#1c7ed6",
    "default_values": "#adb5bd",
}
TIER_PALETTE = ("#7048e8", "#1098ad", "#f59f00", "#e8590c", "#c2255c", "#495057")
SATURATION_COLOUR = "#e03131"
OPPORTUNITY_COLOUR = "#1971c2"


# --- data ---------------------------------------------------------------------------------------


def gather(db: str | Path | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, read from the marts of one build file."""
    path = Path(db).expanduser().resolve() if db else default_db_path()
    with read_connection(path) as con:
        as_of = fetch_dicts(con, "select score_at from int_score_points where is_as_of")
        thresholds = {
            row["threshold_name"]: row["threshold_value"]
            for row in fetch_dicts(
                con, "select threshold_name, threshold_value from volume_rule_thresholds"
            )
        }
        tiers = [
            row["volume_level"]
            for row in fetch_dicts(
                con,
                "select volume_level, min(min_fans) as min_fans from volume_tiers"
                " group by volume_level order by min_fans desc",
            )
        ]
        monitor = fetch_dicts(con, "select * from volume_score_monitor order by creator_id")
        history = fetch_dicts(
            con, "select * from volume_score_history order by creator_id, tracking_date"
        )
        audit_counts = fetch_dicts(con, AUDIT_COUNTS_SQL)[0]
        audit_rows = fetch_dicts(con, AUDIT_ROWS_SQL)
    for level in sorted({row["volume_level"] for row in monitor} - set(tiers)):
        tiers.append(level)
    return {
        "db": str(path),
        "as_of": as_of[0]["score_at"] if as_of else None,
        "thresholds": thresholds,
        "tiers": tiers,
        "monitor": monitor,
        "history": history,
        "audit_counts": audit_counts,
        "audit_rows": audit_rows,
    }


def sources_of(monitor: list[dict[str, Any]]) -> list[str]:
    """The data sources in priority order (all three, even when empty), then any other."""
    present = {row["data_source"] for row in monitor}
    return [*SOURCE_ORDER, *sorted(present - set(SOURCE_ORDER))]


# --- small SVG and HTML helpers -----------------------------------------------------------------


def _num(value: Any, decimals: int = 1) -> str:
    """A number without float noise: 70.0 -> '70', 82.5 -> '82.5', None -> '-'."""
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
        return text if text not in ("-0", "") else "0"
    return str(value)


def _attrs(**attrs: Any) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = f"{value:.2f}".rstrip("0").rstrip(".")
        parts.append(f'{key}="{escape(str(value), quote=True)}"')
    return " ".join(parts)


def _tag(name: str, body: str = "", **attrs: Any) -> str:
    inner = _attrs(**attrs)
    opening = f"<{name} {inner}" if inner else f"<{name}"
    if body:
        return f"{opening}>{body}</{name}>"
    if name in ("circle", "line", "rect", "polyline"):
        return f"{opening}/>"
    return f"{opening}></{name}>"


def _text(x: float, y: float, text: str, **attrs: Any) -> str:
    return _tag("text", escape(text), x=x, y=y, **attrs)


def _svg(width: float, height: float, body: str, label: str, **attrs: Any) -> str:
    return (
        f"<svg {_attrs(width=width, height=height, viewBox=f'0 0 {width} {height}', **attrs)}"
        f' role="img" aria-label="{escape(label, quote=True)}">{body}</svg>'
    )


def _td(value: Any, **attrs: Any) -> str:
    return _tag("td", escape(_num(value)) if not isinstance(value, str) else escape(value), **attrs)


def _tier_colours(tiers: list[str]) -> dict[str, str]:
    return {tier: TIER_PALETTE[min(i, len(TIER_PALETTE) - 1)] for i, tier in enumerate(tiers)}


def _source_chip(source: str) -> str:
    colour = SOURCE_COLOURS.get(source, "#868e96")
    label = SOURCE_LABELS.get(source, source)
    return f'<span class="chip" style="background:{colour}">{escape(label)}</span>'


def _tier_chip(tier: str, colours: dict[str, str]) -> str:
    colour = colours.get(tier, "#868e96")
    return f'<span class="chip" style="background:{colour}">{escape(tier)}</span>'


# --- panels -------------------------------------------------------------------------------------


def tiles(data: dict[str, Any]) -> str:
    monitor = data["monitor"]
    active = sum(1 for row in monitor if row["is_active"])
    by_source = Counter(row["data_source"] for row in monitor)
    items = [
        ("creators", len(monitor), f"{active} active, {len(monitor) - active} inactive", "all"),
    ]
    for source in sources_of(monitor):
        items.append(
            (f"from {SOURCE_LABELS.get(source, source)}", by_source[source], source, source)
        )
    items += [
        (
            "over-saturated",
            sum(1 for row in monitor if row["is_over_saturated"]),
            f"saturation > {_num(data['thresholds'].get('saturation_high_above'))}",
            "over-saturated",
        ),
        (
            "high opportunity",
            sum(1 for row in monitor if row["is_high_opportunity"]),
            "the x" + _num(data["thresholds"].get("opportunity_high_multiplier")) + " rule",
            "high-opportunity",
        ),
        (
            "legacy disagreements",
            data["audit_counts"]["disagreeing"],
            f"of {data['audit_counts']['active_assignments']} active assignments",
            "legacy-disagreement",
        ),
    ]
    cells = "".join(
        f'<div class="tile" data-tile="{escape(key)}"><div class="tile-n">{value}</div>'
        f'<div class="tile-t">{escape(title)}</div><div class="tile-s">{escape(sub)}</div></div>'
        for title, value, sub, key in items
    )
    return f'<div class="tiles">{cells}</div>'


def tier_source_panel(data: dict[str, Any]) -> str:
    monitor, tiers = data["monitor"], data["tiers"]
    colours = _tier_colours(tiers)
    sources = sources_of(monitor)
    counts = Counter((row["volume_level"], row["data_source"]) for row in monitor)
    per_tier = Counter(row["volume_level"] for row in monitor)
    active_per_tier = Counter(row["volume_level"] for row in monitor if row["is_active"])
    per_source = Counter(row["data_source"] for row in monitor)

    head = "".join(f"<th>{_source_chip(s)}</th>" for s in sources)
    rows = []
    for tier in tiers:
        cells = "".join(
            _td(counts[(tier, s)], data_tier=tier, data_source=s, class_="n") for s in sources
        )
        rows.append(
            f"<tr><th>{_tier_chip(tier, colours)}</th>{cells}"
            f"{_td(per_tier[tier], data_tier=tier, data_source='all', class_='n total')}"
            f"{_td(active_per_tier[tier], data_tier=tier, data_active='true', class_='n')}</tr>"
        )
    totals = "".join(
        _td(per_source[s], data_tier="all", data_source=s, class_="n") for s in sources
    )
    rows.append(
        f'<tr class="totals"><th>all tiers</th>{totals}'
        f"{_td(len(monitor), data_tier='all', data_source='all', class_='n total')}"
        f"{_td(sum(active_per_tier.values()), data_tier='all', data_active='true', class_='n')}"
        "</tr>"
    )
    table = (
        f'<table class="grid"><thead><tr><th>tier</th>{head}<th>all</th><th>active</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )

    # Stacked bars: one per tier, split by data source.
    width, bar_h, gap, left = 560, 22, 10, 60
    largest = max(per_tier.values(), default=1)
    scale = (width - left - 40) / max(largest, 1)
    body = []
    for i, tier in enumerate(tiers):
        y = 8 + i * (bar_h + gap)
        body.append(_text(left - 8, y + bar_h * 0.7, tier, class_="lbl", text_anchor="end"))
        x = float(left)
        for source in sources:
            n = counts[(tier, source)]
            if not n:
                continue
            w = n * scale
            body.append(
                _tag(
                    "rect",
                    _tag("title", escape(f"{tier}, {SOURCE_LABELS.get(source, source)}: {n}")),
                    x=x,
                    y=y,
                    width=w,
                    height=bar_h,
                    fill=SOURCE_COLOURS.get(source, "#868e96"),
                )
            )
            if w >= 14:
                body.append(
                    _text(x + w / 2, y + bar_h * 0.7, str(n), class_="in", text_anchor="middle")
                )
            x += w
        body.append(_text(x + 6, y + bar_h * 0.7, str(per_tier[tier]), class_="lbl"))
    height = 16 + len(tiers) * (bar_h + gap)
    legend = " ".join(f"{_source_chip(s)}" for s in sources)
    chart = _svg(width, height, "".join(body), "creators per tier, split by data source")
    return (
        '<section class="panel" id="tiers"><h2>Creators per tier and data source</h2>'
        f'<p class="note">All {len(monitor)} creators of volume_config (active and inactive), '
        f"by volume level and the source of their scores.</p>{table}"
        f'<div class="chart">{chart}</div><p class="legend">{legend}</p></section>'
    )


def scatter_panel(data: dict[str, Any]) -> str:
    t, monitor, tiers = data["thresholds"], data["monitor"], data["tiers"]
    colours = _tier_colours(tiers)
    lo, hi = t.get("score_min", 0.0), t.get("score_max", 100.0)
    width, height = 760, 540
    left, right, top, bottom = 52, 14, 14, 46
    pw, ph = width - left - right, height - top - bottom

    def sx(value: float) -> float:
        return left + (min(max(value, lo), hi) - lo) / (hi - lo) * pw

    def sy(value: float) -> float:
        return top + ph - (min(max(value, lo), hi) - lo) / (hi - lo) * ph

    sat_high, sat_med = t["saturation_high_above"], t["saturation_medium_from"]
    opp_high, opp_high_sat = t["opportunity_high_above"], t["opportunity_high_saturation_below"]
    opp_med_from, opp_med_to = t["opportunity_medium_from"], t["opportunity_medium_to"]
    opp_med_sat = t["opportunity_medium_saturation_below"]
    m = {name: _num(t.get(name), 2) for name in t}

    body: list[str] = []
    # Rule regions, drawn from the build's thresholds.
    regions = [
        (
            sat_high,
            hi,
            lo,
            hi,
            "#ffe3e3",
            f"saturation > {m['saturation_high_above']}: x{m['saturation_high_multiplier']}",
            "top",
        ),
        (
            sat_med,
            sat_high,
            lo,
            hi,
            "#fff4d6",
            f"{m['saturation_medium_from']}-"
            f"{m['saturation_high_above']}: x{m['saturation_medium_multiplier']}",
            "top",
        ),
        (
            lo,
            opp_high_sat,
            opp_high,
            hi,
            "#d3f9d8",
            f"opportunity > {m['opportunity_high_above']}"
            f" and saturation < {m['opportunity_high_saturation_below']}: "
            f"x{m['opportunity_high_multiplier']}",
            "bottom",
        ),
        (
            lo,
            opp_med_sat,
            opp_med_from,
            opp_med_to,
            "#e6fcf5",
            f"opportunity "
            f"{m['opportunity_medium_from']}-{m['opportunity_medium_to']} and saturation < "
            f"{m['opportunity_medium_saturation_below']}: x{m['opportunity_medium_multiplier']}",
            "inside",
        ),
    ]
    for x0, x1, y0, y1, fill, label, _where in regions:
        body.append(
            _tag(
                "rect",
                _tag("title", escape(label)),
                x=sx(x0),
                y=sy(y1),
                width=sx(x1) - sx(x0),
                height=sy(y0) - sy(y1),
                fill=fill,
                data_rule=label,
            )
        )
    # Grid and axes.
    step = (hi - lo) / 10
    for i in range(11):
        v = lo + i * step
        body.append(_tag("line", x1=sx(v), y1=top, x2=sx(v), y2=top + ph, class_="gridline"))
        body.append(_tag("line", x1=left, y1=sy(v), x2=left + pw, y2=sy(v), class_="gridline"))
        body.append(_text(sx(v), top + ph + 16, _num(v), class_="tick", text_anchor="middle"))
        body.append(_text(left - 6, sy(v) + 4, _num(v), class_="tick", text_anchor="end"))
    body.append(_tag("rect", x=left, y=top, width=pw, height=ph, class_="frame"))
    body.append(
        _text(left + pw / 2, height - 8, "saturation score", class_="axis", text_anchor="middle")
    )
    body.append(
        _text(
            14,
            top + ph / 2,
            "opportunity score",
            class_="axis",
            text_anchor="middle",
            transform=f"rotate(-90 14 {top + ph / 2:.1f})",
        )
    )
    # Threshold lines.
    for value, name in ((sat_med, "saturation_medium_from"), (sat_high, "saturation_high_above")):
        body.append(
            _tag(
                "line",
                x1=sx(value),
                y1=top,
                x2=sx(value),
                y2=top + ph,
                class_="rule",
                data_threshold=name,
            )
        )
        body.append(_text(sx(value) + 3, top + 12, f"{m[name]}", class_="rulelbl"))
    body.append(
        _tag(
            "line",
            x1=sx(lo),
            y1=sy(opp_high),
            x2=sx(opp_high_sat),
            y2=sy(opp_high),
            class_="rule",
            data_threshold="opportunity_high_above",
        )
    )
    body.append(
        _tag(
            "rect",
            x=sx(lo),
            y=sy(opp_med_to),
            width=sx(opp_med_sat) - sx(lo),
            height=sy(opp_med_from) - sy(opp_med_to),
            class_="rulebox",
            data_threshold="opportunity_medium",
        )
    )
    for x0, _x1, y0, y1, _, label, where in regions:
        if where == "top":
            continue
        y = sy(y0) - 5 if where == "bottom" else sy(y1) + 13
        body.append(_text(sx(x0) + 4, y, label, class_="regionlbl"))
    for x0, x1, _, _, _, label, where in regions:
        if where != "top":
            continue
        body.append(
            _text(
                (sx(x0) + sx(x1)) / 2, top + ph - 8, label, class_="regionlbl", text_anchor="middle"
            )
        )
    # Points: coincident ones spread on a small ring (exact values in the tooltip).
    groups: dict[tuple[float, float], list[dict[str, Any]]] = defaultdict(list)
    for row in monitor:
        groups[(row["saturation_score"], row["opportunity_score"])].append(row)
    for (sat, opp), rows in sorted(groups.items()):
        cx, cy = sx(sat), sy(opp)
        n = len(rows)
        radius = 0.0 if n == 1 else 6 + 1.1 * n
        for i, row in enumerate(
            sorted(rows, key=lambda r: (tiers.index(r["volume_level"]), r["creator_id"]))
        ):
            angle = 2 * math.pi * i / n
            px, py = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            colour = colours.get(row["volume_level"], "#868e96")
            tip = (
                f"{row['creator_id']} ({row['volume_level']}"
                f"{'' if row['is_active'] else ', inactive'}): saturation "
                f"{_num(row['saturation_score'], 2)}, opportunity "
                f"{_num(row['opportunity_score'], 2)}, "
                f"{SOURCE_LABELS.get(row['data_source'], row['data_source'])}"
            )
            body.append(
                _tag(
                    "circle",
                    _tag("title", escape(tip)),
                    cx=px,
                    cy=py,
                    r=5.5,
                    fill=colour if row["is_active"] else "#ffffff",
                    stroke=colour if not row["is_active"] else "#ffffff",
                    stroke_width=1.6 if not row["is_active"] else 1,
                    data_creator=row["creator_id"],
                    data_tier=row["volume_level"],
                )
            )
        if n > 1:
            body.append(_text(cx + radius + 7, cy - radius + 2, f"{n}", class_="count"))
        flagged = [r for r in rows if r["is_over_saturated"] or r["is_high_opportunity"]]
        if flagged and n == 1:
            near_right = cx > left + 0.8 * pw
            body.append(
                _text(
                    cx - 8 if near_right else cx + 8,
                    cy - 7 if cy > top + 12 else cy + 16,
                    flagged[0]["creator_id"],
                    class_="ptlbl",
                    text_anchor="end" if near_right else None,
                )
            )
    chart = _svg(width, height, "".join(body), "saturation against opportunity by tier")
    legend = " ".join(_tier_chip(tier, colours) for tier in tiers)
    return (
        '<section class="panel" id="scatter"><h2>Saturation vs opportunity</h2>'
        '<p class="note">One point per creator, coloured by tier (hollow: inactive); the shaded '
        "bands and dashed lines are this build's rule thresholds (volume_rule_thresholds). "
        "Creators with equal scores are spread on a small ring, with their number beside it; "
        "hover a point for its values.</p>"
        f'<div class="chart">{chart}</div><p class="legend">{legend}</p></section>'
    )


def _creator_list(
    rows: list[dict[str, Any]], key: str, title: str, note: str, colours: dict[str, str]
) -> str:
    body = "".join(
        f'<tr data-list="{key}" data-creator="{escape(row["creator_id"], quote=True)}">'
        f"<td>{escape(row['creator_id'])}{'' if row['is_active'] else ' <em>(inactive)</em>'}</td>"
        f"<td>{_tier_chip(row['volume_level'], colours)}</td>"
        f"{_td(row['saturation_score'], class_='n')}{_td(row['opportunity_score'], class_='n')}"
        f"{_td(row['revenue_trend'], class_='n')}"
        f'<td class="n">{row["base_revenue_items"]} &rarr; {row["revenue_items_per_day"]}</td>'
        f"<td>{_source_chip(row['data_source'])}</td></tr>"
        for row in rows
    )
    if not rows:
        body = '<tr><td colspan="7" class="empty">none</td></tr>'
    return (
        f'<section class="panel" id="{key}"><h2>{escape(title)} ({len(rows)})</h2>'
        f'<p class="note">{escape(note)}</p><table class="grid"><thead><tr><th>creator</th>'
        "<th>tier</th><th>sat.</th><th>opp.</th><th>trend %</th><th>revenue/day base &rarr; now"
        f"</th><th>source</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def attention_panels(data: dict[str, Any]) -> str:
    monitor, t = data["monitor"], data["thresholds"]
    colours = _tier_colours(data["tiers"])
    over = sorted(
        (r for r in monitor if r["is_over_saturated"]),
        key=lambda r: (-r["saturation_score"], r["creator_id"]),
    )
    high = sorted(
        (r for r in monitor if r["is_high_opportunity"]),
        key=lambda r: (-r["opportunity_score"], r["creator_id"]),
    )
    return _creator_list(
        over,
        "over-saturated",
        "Over-saturated",
        f"Saturation above {_num(t['saturation_high_above'])}: revenue, engagement and retention "
        f"sends scaled by x{_num(t['saturation_high_multiplier'], 2)}.",
        colours,
    ) + _creator_list(
        high,
        "high-opportunity",
        "High opportunity",
        f"Opportunity above {_num(t['opportunity_high_above'])} with saturation below "
        f"{_num(t['opportunity_high_saturation_below'])}: sends scaled by "
        f"x{_num(t['opportunity_high_multiplier'], 2)}.",
        colours,
    )


def _history_by_creator(history: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in history:
        grouped[row["creator_id"]].append(row)
    return grouped


def age_panel(data: dict[str, Any]) -> str:
    t, monitor = data["thresholds"], {r["creator_id"]: r for r in data["monitor"]}
    max_age = t["tracking_max_age_days"]
    grouped = _history_by_creator(data["history"])
    entries = []
    for creator, rows in grouped.items():
        past = [r for r in rows if not r["is_in_future"]]
        newest = past[-1] if past else None
        used = any(r["is_used_by_config"] for r in rows)
        if used:
            status = "used"
        elif newest is None:
            status = "future only"
        elif not newest["is_within_max_age"]:
            status = "too old"
        else:
            status = "not used"
        entries.append((creator, newest, used, status, any(r["is_in_future"] for r in rows)))
    entries.sort(key=lambda e: (e[1]["tracking_age_days"] if e[1] else -1, e[0]))
    oldest = max([e[1]["tracking_age_days"] for e in entries if e[1]] + [max_age])
    width, row_h, left, right = 540, 16, 200, 150
    scale = (width - left - right) / max(oldest, 1)
    colours = {"used": "#2f9e44", "too old": "#adb5bd", "not used": "#f59f00"}
    body = []
    top = 30
    for i, (creator, newest, _, status, future) in enumerate(entries):
        y = top + i * row_h
        source = monitor.get(creator, {}).get("data_source", "not in creators")
        label = creator if creator in monitor else f"{creator} (not in creators)"
        inner = [_text(left - 6, y + 11.5, label, class_="lbl", text_anchor="end")]
        if newest is not None:
            age = newest["tracking_age_days"]
            inner.append(
                _tag(
                    "rect",
                    _tag(
                        "title",
                        escape(
                            f"{creator}: newest 14d row {newest['tracking_date']}, "
                            f"{age} days old, {status}; config source {source}"
                        ),
                    ),
                    x=left,
                    y=y + 2.5,
                    width=max(age * scale, 2),
                    height=row_h - 5,
                    fill=colours[status],
                )
            )
            text = f"{newest['tracking_date']} · {age} d · {status}"
        else:
            text = "only rows dated after as_of"
        if future and newest is not None:
            text += " · a row dated after as_of"
        inner.append(
            _text(
                left + max(0, newest["tracking_age_days"] if newest else 0) * scale + 6,
                y + 11.5,
                text,
                class_="lbl",
            )
        )
        body.append(
            f'<g data-age-creator="{escape(creator, quote=True)}" data-age-days="'
            f'{newest["tracking_age_days"] if newest else ""}" data-status="{status}">'
            + "".join(inner)
            + "</g>"
        )
    height = top + len(entries) * row_h + 8
    x_max = left + max_age * scale
    body.append(
        _tag(
            "line",
            x1=x_max,
            y1=18,
            x2=x_max,
            y2=height - 4,
            class_="rule",
            data_threshold="tracking_max_age_days",
        )
    )
    body.append(_text(x_max + 3, 14, f"max age {_num(max_age)} days", class_="rulelbl"))
    body.append(_tag("line", x1=left, y1=14, x2=left, y2=height - 4, class_="axisline"))
    chart = _svg(width, height, "".join(body), "age of each creator's newest tracking row")
    empty = "" if entries else '<p class="empty">No tracking rows in the history window.</p>'
    return (
        '<section class="panel" id="tracking-age"><h2>Age of the tracking data</h2>'
        f'<p class="note">Newest 14d tracking row per creator (days before the day of as_of); '
        f"rows older than {_num(max_age)} days are not used. Green: volume_config uses it.</p>"
        f'{empty}<div class="chart">{chart}</div></section>'
    )


def history_panel(data: dict[str, Any]) -> str:
    t = data["thresholds"]
    lo, hi = t.get("score_min", 0.0), t.get("score_max", 100.0)
    grouped = _history_by_creator(data["history"])
    as_of_day = dt.date.fromisoformat(str(data["as_of"])[:10]) if data["as_of"] else None
    days = [dt.date.fromisoformat(r["tracking_date"]) for r in data["history"]]
    if as_of_day:
        days.append(as_of_day)
    cards = []
    if days:
        first, last = min(days) - dt.timedelta(days=1), max(days) + dt.timedelta(days=1)
        span = max((last - first).days, 1)
        width, height, left, top, pw, ph = 210, 92, 26, 6, 178, 68

        def sx(day: dt.date) -> float:
            return left + (day - first).days / span * pw

        def sy(value: float) -> float:
            return top + ph - (min(max(value, lo), hi) - lo) / (hi - lo) * ph

        monitor = {r["creator_id"]: r for r in data["monitor"]}
        for creator, rows in grouped.items():
            body = [
                _tag("rect", x=left, y=top, width=pw, height=ph, class_="frame"),
                _tag(
                    "line",
                    x1=left,
                    y1=sy(t["saturation_high_above"]),
                    x2=left + pw,
                    y2=sy(t["saturation_high_above"]),
                    class_="rule",
                    data_threshold="saturation_high_above",
                ),
                _text(left - 3, sy(hi) + 4, _num(hi), class_="tick", text_anchor="end"),
                _text(left - 3, sy(lo), _num(lo), class_="tick", text_anchor="end"),
            ]
            body.append(_text(left, top + ph + 12, str(first)[5:], class_="tick"))
            body.append(
                _text(left + pw, top + ph + 12, str(last)[5:], class_="tick", text_anchor="end")
            )
            if as_of_day:
                body.append(
                    _tag(
                        "line",
                        x1=sx(as_of_day),
                        y1=top,
                        x2=sx(as_of_day),
                        y2=top + ph,
                        class_="asof",
                    )
                )
            for field, colour in (
                ("saturation_score", SATURATION_COLOUR),
                ("opportunity_score", OPPORTUNITY_COLOUR),
            ):
                points = [
                    (sx(dt.date.fromisoformat(r["tracking_date"])), sy(r[field]), r)
                    for r in rows
                    if r[field] is not None
                ]
                if len(points) > 1:
                    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
                    body.append(
                        f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        'stroke-width="1.5"/>'
                    )
                for x, y, r in points:
                    tip = (
                        f"{r['tracking_date']}: {field.split('_')[0]} {_num(r[field], 2)}"
                        f"{' (used)' if r['is_used_by_config'] else ''}"
                        f"{' (after as_of)' if r['is_in_future'] else ''}"
                    )
                    body.append(
                        _tag(
                            "circle",
                            _tag("title", escape(tip)),
                            cx=x,
                            cy=y,
                            r=3.2,
                            fill=colour if r["is_used_by_config"] else "#ffffff",
                            stroke=colour,
                            stroke_width=1.4,
                        )
                    )
            info = monitor.get(creator)
            caption = (
                f"{info['volume_level']} · {SOURCE_LABELS.get(info['data_source'], '?')}"
                if info
                else "not in creators"
            )
            svg = _svg(
                width,
                height,
                "".join(body),
                f"score history of {creator}",
                data_history_creator=creator,
            )
            count = f"{len(rows)} row" if len(rows) == 1 else f"{len(rows)} rows"
            cards.append(
                f'<div class="card"><div class="card-t">{escape(creator)}</div>'
                f'<div class="card-s">{escape(caption)} · {count}</div>{svg}</div>'
            )
        range_note = f"{first + dt.timedelta(days=1)} to {last - dt.timedelta(days=1)}"
    else:
        range_note = "no rows"
    return (
        '<section class="panel wide" id="history"><h2>Score history per creator</h2>'
        '<p class="note">14d tracking rows kept for the monitor (volume_score_history; '
        f"{range_note}; the same date axis for every creator). "
        f'<span style="color:{SATURATION_COLOUR}">&#9679; saturation</span> '
        f'<span style="color:{OPPORTUNITY_COLOUR}">&#9679; opportunity</span>; filled: the row '
        "volume_config uses; dashed: saturation_high_above; grey line: as_of.</p>"
        f'<div class="cards">{"".join(cards) or "<p class=empty>No tracking rows.</p>"}</div>'
        "</section>"
    )


def legacy_panel(data: dict[str, Any]) -> str:
    counts, rows = data["audit_counts"], data["audit_rows"]
    figures = [
        ("active legacy assignments", counts["active_assignments"], "active_assignments"),
        ("disagree", counts["disagreeing"], "disagreeing"),
        ("by level", counts["volume_level_differs"], "volume_level_differs"),
        ("by ppv/day", counts["ppv_per_day_differs"], "ppv_per_day_differs"),
        ("by bump/day", counts["bump_per_day_differs"], "bump_per_day_differs"),
    ]
    summary = "".join(
        f'<div class="mini" data-count="{key}"><b>{value}</b> {escape(title)}</div>'
        for title, value, key in figures
    )

    def cell(legacy: Any, dynamic: Any, differs: bool) -> str:
        cls = ' class="diff"' if differs else ""
        return f"<td{cls}>{escape(_num(legacy))} &rarr; {escape(_num(dynamic))}</td>"

    body = "".join(
        f'<tr data-list="legacy-disagreement" data-creator="{escape(r["creator_id"], quote=True)}">'
        f"<td>{escape(r['creator_id'])}</td>"
        + cell(r["legacy_volume_level"], r["dynamic_volume_level"], r["level_differs"])
        + cell(r["legacy_ppv_per_day"], r["dynamic_ppv_per_day"], r["ppv_differs"])
        + cell(r["legacy_bump_per_day"], r["dynamic_bump_per_day"], r["bump_differs"])
        + f"<td>{_source_chip(r['data_source']) if r['data_source'] else 'not in creators'}</td>"
        + f"<td>{escape(_num(r['legacy_assigned_at']))}</td></tr>"
        for r in rows
    )
    if not rows:
        body = '<tr><td colspan="6" class="empty">none: the legacy table agrees</td></tr>'
    return (
        '<section class="panel" id="legacy"><h2>Dynamic result vs legacy volume_assignments'
        '</h2><p class="note">Active rows of the legacy table that disagree with volume_config '
        "(volume_assignment_audit; legacy &rarr; dynamic, differing values highlighted). "
        "See docs/retiring-volume-assignments.md.</p>"
        f'<div class="minis">{summary}</div><table class="grid"><thead><tr><th>creator</th>'
        "<th>level</th><th>ppv/day</th><th>bump/day</th><th>dynamic source</th>"
        f"<th>legacy assigned</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f1f3f5;color:#212529;
 font:13px/1.4 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{background:#212529;color:#f8f9fa;padding:14px 24px}
header h1{margin:0;font-size:20px}header p{margin:2px 0 0;color:#ced4da}
main{max-width:1360px;margin:0 auto;padding:14px 16px;display:grid;
 grid-template-columns:minmax(0,780px) minmax(0,1fr);gap:14px;align-items:start}
.tiles{grid-column:1/-1;display:flex;gap:10px;flex-wrap:wrap}
.tile{background:#fff;border-radius:6px;padding:8px 14px;min-width:140px;
 box-shadow:0 1px 2px rgba(0,0,0,.08)}
.tile-n{font-size:24px;font-weight:600}.tile-t{font-weight:600}.tile-s{color:#868e96;font-size:11px}
.panel{background:#fff;border-radius:6px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.panel.wide{grid-column:1/-1}.col{display:flex;flex-direction:column;gap:14px}
h2{font-size:15px;margin:0 0 4px}.note{color:#495057;margin:0 0 8px;font-size:12px}
table.grid{border-collapse:collapse;width:100%;font-size:12px}
.grid th,.grid td{border-bottom:1px solid #e9ecef;padding:3px 6px;text-align:left}
.grid td.n{text-align:right;font-variant-numeric:tabular-nums}.grid td.total{font-weight:600}
.grid tr.totals th,.grid tr.totals td{border-top:2px solid #adb5bd;font-weight:600}
.grid td.diff{background:#fff0f6;color:#a61e4d;font-weight:600}
.chip{display:inline-block;white-space:nowrap;color:#fff;border-radius:9px;padding:0 7px;
 font-size:11px}
.legend{margin:4px 0 0}.empty{color:#868e96}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(214px,1fr));gap:8px}
.card{border:1px solid #e9ecef;border-radius:4px;padding:4px}
.card-t{font-weight:600;font-size:12px}.card-s{color:#868e96;font-size:11px}
.minis{display:flex;gap:14px;margin:0 0 6px}.mini b{font-size:16px}
svg text{font-family:inherit}.lbl{font-size:11px;fill:#343a40}.in{font-size:11px;fill:#fff}
.tick{font-size:10px;fill:#868e96}.axis{font-size:12px;fill:#495057}
.gridline{stroke:#f1f3f5}.frame{fill:none;stroke:#ced4da}.axisline{stroke:#adb5bd}
.rule{stroke:#495057;stroke-dasharray:5 3;stroke-width:1.2}
.rulebox{fill:none;stroke:#495057;stroke-dasharray:5 3}
.rulelbl{font-size:10px;fill:#495057}.regionlbl{font-size:10px;fill:#495057}
.count{font-size:11px;font-weight:600;fill:#343a40}.ptlbl{font-size:10px;fill:#343a40}
.asof{stroke:#adb5bd;stroke-width:1}
footer{max-width:1360px;margin:0 auto;padding:0 16px 16px;color:#868e96;font-size:11px}
"""


def render(data: dict[str, Any]) -> str:
    """The dashboard's HTML."""
    as_of = data["as_of"] or "unknown"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>eros-volume monitor, as of {escape(str(as_of))}</title>"
        f"<style>{CSS}</style></head><body>"
        f"<header><h1>eros-volume monitor</h1><p>as of {escape(str(as_of))} · "
        f'build <span title="{escape(data["db"], quote=True)}">'
        f"{escape(Path(data['db']).name)}</span></p></header><main>"
        + tiles(data)
        + scatter_panel(data)
        + f'<div class="col">{attention_panels(data)}</div>'
        + f'<div class="col">{tier_source_panel(data)}{legacy_panel(data)}</div>'
        + age_panel(data)
        + history_panel(data)
        + "</main><footer>Drawn from the marts volume_score_monitor, volume_rule_thresholds, "
        "volume_score_history and volume_assignment_audit. Self-contained: no scripts, no "
        "network.</footer></body></html>\n"
    )


def write_dashboard(db: str | Path | None = None, out: str | Path | None = None) -> Path:
    """Render the dashboard of a build file into ``out`` (default: dashboard.html beside it)."""
    data = gather(db)
    target = Path(out).expanduser() if out else Path(data["db"]).with_name("dashboard.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.writing-{os.getpid()}")
    try:
        temporary.write_text(render(data), encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target

"""The monitoring dashboard: one self-contained HTML file drawn from the marts of a build file.

Three layers, each small:
- ``gather`` reads aggregates and top-N lists from the marts with parameterised SQL on a
  read-only connection (never an ``int_`` model), so the page stays the same size at 100k creators;
- the ``*_chart`` functions declare each chart with Altair (a Vega-Lite spec whose data is inline),
  which ``render`` turns into inline SVG offline with vl-convert;
- ``templates/dashboard.html`` (Jinja2) lays the page out, with ``templates/dashboard.css`` inlined.

No script, no font, no stylesheet is loaded at view time. Every threshold drawn comes from the
build (``volume_rule_thresholds``), every band and flag from ``volume_config`` /
``volume_score_monitor``: Python holds no rule.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import jinja2
import vl_convert
from markupsafe import Markup

from .audit import COUNTS_SQL as AUDIT_COUNTS_SQL
from .audit import ROWS_SQL as AUDIT_ROWS_SQL
from .store import default_db_path, fetch_dicts, read_connection
from .store import freshness as build_freshness

TOP_N = 20
SCORE_BINS = 20
SOURCE_ORDER = ("volume_performance_tracking", "calculated_on_demand", "default_values")
SOURCE_COLOURS = ("#2f9e44", "#1c7ed6", "#adb5bd")
SOURCE_LABELS = dict(zip(SOURCE_ORDER, ("tracking", "on demand", "defaults"), strict=True))
LEVEL_PALETTE = ("#7048e8", "#1098ad", "#f59f00", "#e8590c", "#c2255c", "#495057")
SCORE_COLOURS = {"saturation": "#e03131", "opportunity": "#1971c2"}
# Band colours per score, from the band that leaves volumes alone to the one that moves them most.
BAND_COLOURS = {
    "saturation": ("#ffc9c9", "#ff8787", "#c92a2a"),
    "opportunity": ("#a5d8ff", "#4dabf7", "#1864ab"),
}
AGE_STATUS = ("used", "not used", "too old", "only rows after as_of")
AGE_COLOURS = ("#2f9e44", "#f59f00", "#adb5bd", "#845ef7")


# --- data: SQL on the marts ----------------------------------------------------------------------

LEVELS_SQL = """
select volume_level from volume_tiers group by volume_level order by min(min_fans) desc
"""

SUMMARY_SQL = """
select
    count(*) as creators,
    count(*) filter (where is_active) as active,
    count(*) filter (where is_over_saturated) as over_saturated,
    count(*) filter (where is_high_opportunity) as high_opportunity,
    count(*) filter (where has_opportunity_boost) as opportunity_boost,
    count(*) filter (where len(data_quality_flags) > 0) as flagged
from volume_score_monitor
"""

LEVEL_SOURCE_SQL = """
select volume_level, data_source, count(*) as creators, count(*) filter (where is_active) as active
from volume_score_monitor
group by all
order by all
"""

BANDS_SQL = """
select
    saturation_band,
    opportunity_band,
    min(saturation_multiplier) as saturation_multiplier,
    min(opportunity_multiplier) as opportunity_multiplier,
    count(*) as creators
from volume_config
group by all
order by all
"""

HISTOGRAM_SQL = """
with scores as (
    select 'saturation' as score, saturation_score as score_value, saturation_band as band
    from volume_config
    union all
    select 'opportunity' as score, opportunity_score as score_value, opportunity_band as band
    from volume_config
)

select
    score,
    band,
    least(floor((score_value - $low) / $width), $bins - 1)::integer as bin,
    count(*) as creators
from scores
where score_value is not null
group by all
order by all
"""

AGE_SQL = """
with per_creator as (
    select
        creator_id,
        min(tracking_age_days) filter (where not is_in_future) as newest_age_days,
        bool_or(is_used_by_config) as is_used,
        bool_or(is_within_max_age) as has_recent_row
    from volume_score_history
    group by creator_id
)

select
    newest_age_days as tracking_age_days,
    case
        when is_used then 'used'
        when newest_age_days is null then 'only rows after as_of'
        when has_recent_row then 'not used'
        else 'too old'
    end as status,
    count(*) as creators
from per_creator
group by all
order by all
"""

HISTORY_SQL = """
select
    tracking_date,
    count(*) as creators,
    median(saturation_score) as saturation,
    median(opportunity_score) as opportunity
from volume_score_history
group by tracking_date
order by tracking_date
"""

FLAGS_SQL = """
with flags as (select unnest(data_quality_flags) as flag from volume_config)

select flag, count(*) as creators from flags group by flag order by creators desc, flag
"""

TOP_COLUMNS = """
    creator_id, is_active, volume_level, saturation_score, opportunity_score, revenue_trend,
    base_revenue_items, revenue_items_per_day, data_source, data_quality_flags
"""

TOP_SQL = {
    "over_saturated": f"""
        select {TOP_COLUMNS} from volume_score_monitor where is_over_saturated
        order by saturation_score desc, creator_id limit $top_n""",
    "opportunity": f"""
        select {TOP_COLUMNS} from volume_score_monitor where has_opportunity_boost
        order by opportunity_score desc, creator_id limit $top_n""",
    "flagged": f"""
        select {TOP_COLUMNS} from volume_score_monitor where len(data_quality_flags) > 0
        order by len(data_quality_flags) desc, creator_id limit $top_n""",
}

# The serving publication's change rows are those of this build (build_info's build_id).
SERVING = "build_id = (select build_id from build_info)"

CHANGES_SQL = {
    "counts": f"""
        select
            count(*) filter (where change_type = 'changed') as changed,
            count(*) filter (where change_type = 'new') as new
        from volume_config_changes where {SERVING}""",
    "previous": """
        select count(distinct as_of) as publications from volume_config_history
        where as_of::date < (select as_of::date from build_info)""",
    "by_field_level": f"""
        with fields as (
            select unnest(changed_fields) as field, new_volume_level as volume_level
            from volume_config_changes where {SERVING}
        )
        select field, volume_level, count(*) as creators from fields group by all order by all""",
    "biggest": f"""
        select
            *,
            abs(new_revenue_items_per_day - old_revenue_items_per_day)
            + abs(new_engagement_items_per_day - old_engagement_items_per_day)
            + abs(new_retention_items_per_day - old_retention_items_per_day) as items_moved
        from volume_config_changes where {SERVING} and change_type = 'changed'
        order by items_moved desc, creator_id limit $top_n""",
}

REJECTED_SQL = """
select table_name, reason, count(*) as raw_rows, count(distinct creator_id) as creators
from data_quality_issues
group by all
order by raw_rows desc, table_name, reason
"""


def gather(db: str | Path | None = None, top_n: int = TOP_N) -> dict[str, Any]:
    """Everything the dashboard shows, read from the marts of one build file."""
    path = Path(db).expanduser().resolve() if db else default_db_path()
    with read_connection(path) as con:
        thresholds = {
            row["threshold_name"]: row["threshold_value"]
            for row in fetch_dicts(
                con, "select threshold_name, threshold_value from volume_rule_thresholds"
            )
        }
        data = {
            "db": str(path),
            "top_n": top_n,
            "thresholds": thresholds,
            "freshness": build_freshness(con) or {},
            "rejected": fetch_dicts(con, REJECTED_SQL),
            "changes": changes(con, top_n),
            "summary": fetch_dicts(con, SUMMARY_SQL)[0],
            "level_source": fetch_dicts(con, LEVEL_SOURCE_SQL),
            "bands": fetch_dicts(con, BANDS_SQL),
            "histogram": histogram_rows(con, thresholds),
            "ages": fetch_dicts(con, AGE_SQL),
            "history": fetch_dicts(con, HISTORY_SQL),
            "flags": fetch_dicts(con, FLAGS_SQL),
            "top": {key: fetch_dicts(con, sql, {"top_n": top_n}) for key, sql in TOP_SQL.items()},
            "audit_counts": fetch_dicts(con, AUDIT_COUNTS_SQL)[0],
            "audit_rows": fetch_dicts(con, f"{AUDIT_ROWS_SQL} limit $top_n", {"top_n": top_n}),
        }
        levels = [row["volume_level"] for row in fetch_dicts(con, LEVELS_SQL)]
    present = {row["volume_level"] for row in data["level_source"]}
    data["levels"] = levels + sorted(present - set(levels))
    return data


def changes(con: duckdb.DuckDBPyConnection, top_n: int) -> dict[str, Any]:
    """This build's publication in volume_config_changes: how many creators changed or are new,
    the changed fields by level, the biggest moves; and how many earlier publications (of an
    earlier day) the history holds."""
    return {
        "counts": fetch_dicts(con, CHANGES_SQL["counts"])[0],
        "previous_publications": fetch_dicts(con, CHANGES_SQL["previous"])[0]["publications"],
        "by_field_level": fetch_dicts(con, CHANGES_SQL["by_field_level"]),
        "biggest": fetch_dicts(con, CHANGES_SQL["biggest"], {"top_n": top_n}),
    }


def histogram_rows(con: duckdb.DuckDBPyConnection, thresholds: dict[str, float]) -> list[dict]:
    """Creators per score bin (``SCORE_BINS`` equal bins from score_min to score_max)."""
    low, high = thresholds["score_min"], thresholds["score_max"]
    width = (high - low) / SCORE_BINS
    rows = fetch_dicts(con, HISTOGRAM_SQL, {"low": low, "width": width, "bins": SCORE_BINS})
    for row in rows:
        row["bin_start"] = low + row["bin"] * width
        row["bin_end"] = row["bin_start"] + width
    return rows


# --- charts: Vega-Lite specs declared with Altair -------------------------------------------------


def _values(rows: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=rows)


def level_source_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Creators per volume level, stacked by data source."""
    present = {row["data_source"] for row in data["level_source"]}
    sources = [*SOURCE_ORDER, *sorted(present - set(SOURCE_ORDER))]
    colours = [*SOURCE_COLOURS, *LEVEL_PALETTE][: len(sources)]
    chart = (
        alt.Chart(_values(data["level_source"]), title="Creators per level and data source")
        .mark_bar()
        .encode(
            x=alt.X("sum(creators):Q", title="creators"),
            y=alt.Y("volume_level:N", sort=data["levels"], title=None),
            color=alt.Color(
                "data_source:N",
                scale=alt.Scale(domain=sources, range=colours),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            order=alt.Order("source_rank:Q"),
        )
        .transform_calculate(source_rank=f"indexof({sources!r}, datum.data_source)")
        .properties(width=380, height=30 * max(len(data["levels"]), 1))
    )
    return chart.to_dict()


def bands_by_effect(data: dict[str, Any], score: str) -> list[str]:
    """The bands of ``score`` (saturation or opportunity) present in the build, from the one
    that leaves volumes alone to the one that moves them most (by the multiplier each sets)."""
    multipliers = {row[f"{score}_band"]: row[f"{score}_multiplier"] for row in data["bands"]}
    return sorted(multipliers, key=lambda band: (abs(multipliers[band] - 1), band))


def band_matrix_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Creators per saturation band x opportunity band, each labelled with its multiplier."""
    rows = [
        {
            **row,
            "saturation": f"{row['saturation_band']} (x{row['saturation_multiplier']:g})",
            "opportunity": f"{row['opportunity_band']} (x{row['opportunity_multiplier']:g})",
        }
        for row in data["bands"]
    ]

    def labels(score: str) -> list[str]:
        named = {row[f"{score}_band"]: row[score] for row in rows}
        return [named[band] for band in bands_by_effect(data, score)]

    base = alt.Chart(_values(rows), title="Saturation band x opportunity band").encode(
        x=alt.X(
            "saturation:N",
            sort=labels("saturation"),
            title="saturation band",
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("opportunity:N", sort=labels("opportunity")[::-1], title="opportunity band"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("creators:Q", scale=alt.Scale(scheme="blues"), legend=None)
    )
    counts = base.mark_text(fontSize=13).encode(text=alt.Text("creators:Q", format=",d"))
    return (cells + counts).properties(width=300, height=150).to_dict()


def score_histogram_chart(data: dict[str, Any], score: str) -> dict[str, Any]:
    """Creators per score bin of ``score`` (saturation or opportunity), stacked by its band, with
    the build's thresholds on that score as rules."""
    t = data["thresholds"]
    rows = [row for row in data["histogram"] if row["score"] == score]
    rules = [
        {"threshold": name, "value": value}
        for name, value in t.items()
        if name.startswith(f"{score}_")
        and not name.endswith("_multiplier")
        and "_saturation_" not in name
    ]
    domain = [t["score_min"], t["score_max"]]
    bands = bands_by_effect(data, score)
    bars = (
        alt.Chart(_values(rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "bin_start:Q", bin="binned", scale=alt.Scale(domain=domain), title=f"{score} score"
            ),
            x2="bin_end:Q",
            y=alt.Y("sum(creators):Q", title="creators"),
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=bands, range=_ramp(BAND_COLOURS[score], len(bands))),
                legend=alt.Legend(orient="bottom", title=f"{score} band"),
            ),
        )
    )
    lines = (
        alt.Chart(_values(rules)).mark_rule(strokeDash=[5, 3], color="#495057").encode(x="value:Q")
    )
    names = [
        alt.Chart(_values([rule]))
        .mark_text(align="left", dx=3, fontSize=10, color="#495057")
        .encode(x="value:Q", y=alt.value(6 + 12 * i), text="label:N")
        .transform_calculate(label="datum.threshold + ' ' + datum.value")
        for i, rule in enumerate(rules)
    ]
    chart = alt.layer(bars, lines, *names, title=f"{score.capitalize()} scores")
    return chart.properties(width=380, height=160).to_dict()


def age_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Creators by the age of their newest tracking row (one bar per day, centred on it),
    coloured by whether volume_config uses it, with the build's tracking_max_age_days."""
    max_age = data["thresholds"]["tracking_max_age_days"]
    bars = (
        alt.Chart(_values(data["ages"]))
        .transform_filter("datum.tracking_age_days != null")
        .transform_calculate(
            day_start="datum.tracking_age_days - 0.5", day_end="datum.tracking_age_days + 0.5"
        )
        .mark_bar()
        .encode(
            x=alt.X("day_start:Q", bin="binned", title="days before as_of"),
            x2="day_end:Q",
            y=alt.Y("sum(creators):Q", title="creators"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(AGE_STATUS), range=list(AGE_COLOURS)),
                legend=alt.Legend(orient="bottom", title=None),
            ),
        )
    )
    limit = alt.Chart(
        _values([{"threshold": "tracking_max_age_days", "value": max_age}])
    ).transform_calculate(edge="datum.value + 0.5", label=f"'max age {max_age:g} days'")
    lines = limit.mark_rule(strokeDash=[5, 3], color="#495057").encode(x="edge:Q")
    names = limit.mark_text(align="left", dx=3, fontSize=10, color="#495057").encode(
        x="edge:Q", y=alt.value(6), text="label:N"
    )
    chart = alt.layer(bars, lines, names, title="Age of each creator's newest tracking row")
    return chart.properties(width=380, height=160).to_dict()


def history_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Median saturation and opportunity per tracking day over all creators with a 14d row that
    day, and how many they are."""
    rows = [
        {"tracking_date": r["tracking_date"], "score": score, "median": r[score]}
        for r in data["history"]
        for score in SCORE_COLOURS
    ]
    lines = (
        alt.Chart(_values(rows), title="Median scores per tracking day")
        .mark_line(point=True)
        .encode(
            x=alt.X("tracking_date:T", title=None),
            y=alt.Y("median:Q", title="median score"),
            color=alt.Color(
                "score:N",
                scale=alt.Scale(domain=list(SCORE_COLOURS), range=list(SCORE_COLOURS.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
        )
        .properties(width=380, height=140)
    )
    counts = (
        alt.Chart(_values(data["history"]), title="Creators with a 14d row per day")
        .mark_bar(color="#868e96")
        .encode(x=alt.X("tracking_date:T", title=None), y=alt.Y("creators:Q", title="creators"))
        .properties(width=380, height=70)
    )
    return alt.vconcat(lines, counts).to_dict()


def flags_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Creators per data-quality flag."""
    chart = (
        alt.Chart(_values(data["flags"]), title="Creators per data-quality flag")
        .mark_bar(color="#f08c00")
        .encode(
            x=alt.X("creators:Q", title="creators", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("flag:N", sort="-x", title=None),
        )
        .properties(width=300, height=22 * max(len(data["flags"]), 1))
    )
    return chart.to_dict()


def changes_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Changed fields of the serving publication, by the creators' new level."""
    rows = data["changes"]["by_field_level"]
    chart = (
        alt.Chart(_values(rows), title="Changed fields by new level")
        .mark_bar()
        .encode(
            x=alt.X("sum(creators):Q", title="creators"),
            y=alt.Y("field:N", title=None),
            color=alt.Color(
                "volume_level:N",
                scale=alt.Scale(
                    domain=data["levels"], range=_ramp(LEVEL_PALETTE, len(data["levels"]))
                ),
                legend=alt.Legend(orient="bottom", title=None),
            ),
        )
        .properties(width=380, height=22 * max(len({r["field"] for r in rows}), 1))
    )
    return chart.to_dict()


def _ramp(colours: tuple[str, ...], n: int) -> list[str]:
    """``n`` colours from ``colours``, the last one repeated when there are more."""
    return [colours[min(i, len(colours) - 1)] for i in range(n)]


def charts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every chart of the page, by name."""
    return {
        "level_source": level_source_chart(data),
        "bands": band_matrix_chart(data),
        "saturation": score_histogram_chart(data, "saturation"),
        "opportunity": score_histogram_chart(data, "opportunity"),
        "ages": age_chart(data),
        "history": history_chart(data),
        "flags": flags_chart(data),
        "changes": changes_chart(data),
    }


# --- page -----------------------------------------------------------------------------------------

THEME = {
    "font": "-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    "background": "transparent",
    "view": {"stroke": None},
    "title": {"anchor": "start", "fontSize": 13},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal"},
}


def to_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG element to inline in HTML, rendered offline by vl-convert."""
    svg = vl_convert.vegalite_to_svg({**spec, "config": {**spec.get("config", {}), **THEME}})
    # HTML needs no namespace declarations on inline SVG; without them the page names no URL.
    return re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("eros_volume", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    env.filters["source"] = lambda name: SOURCE_LABELS.get(name, name)
    return env


def number(value: Any, decimals: int = 2) -> str:
    """A number for people: thousands separated, at most ``decimals`` decimals, no float noise
    (70.0 -> '70', 82.5 -> '82.5', 12345 -> '12,345', None -> '-')."""
    if value is None:
        return "-"
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


def level_table(data: dict[str, Any]) -> dict[str, Any]:
    """Creators per level and data source as table rows (levels in tier order)."""
    sources = list(
        dict.fromkeys([*SOURCE_ORDER, *(r["data_source"] for r in data["level_source"])])
    )
    rows = []
    for level in data["levels"]:
        mine = [r for r in data["level_source"] if r["volume_level"] == level]
        by_source = {r["data_source"]: r["creators"] for r in mine}
        rows.append(
            {
                "level": level,
                "counts": [by_source.get(source, 0) for source in sources],
                "creators": sum(r["creators"] for r in mine),
                "active": sum(r["active"] for r in mine),
            }
        )
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(sources))]
    return {"sources": sources, "rows": rows, "totals": totals}


def render(data: dict[str, Any]) -> str:
    """The dashboard's HTML."""
    svgs = {name: Markup(to_svg(spec)) for name, spec in charts(data).items()}
    future_only = sum(r["creators"] for r in data["ages"] if r["tracking_age_days"] is None)
    return (
        _environment()
        .get_template("dashboard.html")
        .render(
            data=data,
            svg=svgs,
            db_name=Path(data["db"]).name,
            levels=level_table(data),
            future_only=future_only,
            score_bins=SCORE_BINS,
        )
    )


def write_dashboard(db: str | Path | None = None, out: str | Path | None = None) -> Path:
    """Render the dashboard of a build file into ``out`` (default: dashboard.html beside it).
    A folder that does not exist is not created: the write fails (the CLI refuses it first)."""
    data = gather(db)
    target = Path(out).expanduser() if out else Path(data["db"]).with_name("dashboard.html")
    html = render(data)
    temporary = target.with_name(f".{target.name}.writing-{os.getpid()}")
    try:
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target

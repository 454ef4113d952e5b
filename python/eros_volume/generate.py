"""Deterministic synthetic raw databases in the original operational schema, for benchmarks.

``generate(out, creators, days, messages_per_creator_per_day)`` writes a SQLite file created with
``raw_schema.sql`` as it is (the original DDL, indexes and generated columns), or a DuckDB file
with the same tables and columns (``fmt="duckdb"``). Everything is computed by DuckDB SQL from
hashes of the seed: the same arguments give the same data, in either format (with a given DuckDB
version: DuckDB does not promise its ``hash`` stays the same across versions).

What the data looks like (all shares approximate):

- ``creators``: ids ``c000001``...; fan counts log-normal (median about 2,000, long tail up to 2
  million): a third Low, 37 % Mid, 18 % High, 11 % Ultra; 80 % paid / 20 % free; 95 % active.
  ``dirty_fraction`` of them (default 0.2 %) have a null or negative fan count and as many a page
  type spelled ``' Paid'`` / ``'FREE'``, so the data-quality paths of the rules are exercised.
- ``creator_personas``: one row for 85 % of creators, 3 % of those with an older second row.
- ``mass_messages``: on each of the ``days`` 24-hour periods ending at ``as_of``, each creator
  sends ``messages_per_creator_per_day`` messages on average (the creator's own rate spreads from
  0.25x to 1.75x the mean, and varies by day); the total is ``creators * days *
  messages_per_creator_per_day`` within about 1 %. 85 % PPV, 15 % free (price 0); times peak at
  18:00 and are never after ``as_of``; ``sent_count`` 55-95 % of the fans, views 20-60 % and
  purchases 1-10 % of ``sent_count`` (before rounding), drifting up or down over the period per
  creator (so the on-demand scores spread); ``earnings = purchased_count * price``.
- ``volume_performance_tracking``: for 30 % of creators, 14d rows on the last 1-5 days up to
  ``date(as_of)`` (some end a day or two earlier, a few are stale, older than 14 days), plus 7d and
  30d rows for a fifth of them; scores 0-100, ``revenue_per_send_trend`` -40..40. Dirty rows:
  out-of-range scores, null opportunity, a row dated after ``as_of``.
- ``top_content_types``: 5 ranked types on one or two analysis dates for 40 % of creators.
- ``volume_assignments`` (legacy): one active row for 90 % of creators, its level the fan count's
  in half the cases and any level otherwise; older inactive rows for a third of creators.

Speed (2 cores, measured): 2 M messages in 3-5 s (280 MB); 20 M in 45-65 s (2.9 GB), of which the
load through DuckDB's SQLite scanner is about 25 s and the two indexes, built after it, 20 s. The
DuckDB format: 20 M in 25-35 s (610 MB).
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from .extensions import duckdb_config, ensure_sqlite_extension

RAW_SCHEMA_PATH = Path(__file__).with_name("raw_schema.sql")
TABLES = (
    "creators",
    "creator_personas",
    "mass_messages",
    "volume_performance_tracking",
    "top_content_types",
    "volume_assignments",
)
# Rows of mass_messages per batch: one INSERT (and one progress line) each.
_BATCH_ROWS = 1_000_000

# The columns written (the original schema's, without the generated ones), with DuckDB types.
_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "creators": [
        ("creator_id", "varchar"),
        ("page_name", "varchar"),
        ("display_name", "varchar"),
        ("page_type", "varchar"),
        ("subscription_price", "double"),
        ("is_active", "bigint"),
        ("timezone", "varchar"),
        ("creator_group", "varchar"),
        ("current_active_fans", "bigint"),
        ("current_total_earnings", "double"),
        ("performance_tier", "bigint"),
        ("persona_type", "varchar"),
        ("created_at", "varchar"),
        ("updated_at", "varchar"),
    ],
    "creator_personas": [
        ("persona_id", "bigint"),
        ("creator_id", "varchar"),
        ("primary_tone", "varchar"),
        ("secondary_tone", "varchar"),
        ("emoji_frequency", "varchar"),
        ("favorite_emojis", "varchar"),
        ("slang_level", "varchar"),
        ("avg_sentiment", "double"),
        ("avg_caption_length", "bigint"),
        ("last_analyzed", "varchar"),
    ],
    "mass_messages": [
        ("message_id", "bigint"),
        ("creator_id", "varchar"),
        ("page_name", "varchar"),
        ("sending_time", "varchar"),
        ("message_type", "varchar"),
        ("price", "double"),
        ("sent_count", "bigint"),
        ("viewed_count", "bigint"),
        ("purchased_count", "bigint"),
        ("earnings", "double"),
    ],
    "volume_performance_tracking": [
        ("tracking_id", "bigint"),
        ("creator_id", "varchar"),
        ("tracking_date", "varchar"),
        ("tracking_period", "varchar"),
        ("avg_daily_volume", "double"),
        ("total_messages_sent", "bigint"),
        ("avg_revenue_per_send", "double"),
        ("avg_view_rate", "double"),
        ("avg_purchase_rate", "double"),
        ("total_earnings", "double"),
        ("revenue_per_send_trend", "double"),
        ("view_rate_trend", "double"),
        ("purchase_rate_trend", "double"),
        ("earnings_volatility", "double"),
        ("saturation_score", "double"),
        ("opportunity_score", "double"),
        ("recommended_volume_delta", "bigint"),
        ("calculated_at", "varchar"),
    ],
    "top_content_types": [
        ("creator_id", "varchar"),
        ("analysis_date", "varchar"),
        ("rank", "bigint"),
        ("content_type", "varchar"),
        ("send_count", "bigint"),
        ("total_earnings", "double"),
        ("avg_earnings", "double"),
        ("avg_purchase_rate", "double"),
        ("performance_tier", "varchar"),
    ],
    "volume_assignments": [
        ("assignment_id", "bigint"),
        ("creator_id", "varchar"),
        ("volume_level", "varchar"),
        ("ppv_per_day", "bigint"),
        ("bump_per_day", "bigint"),
        ("assigned_at", "varchar"),
        ("assigned_by", "varchar"),
        ("assigned_reason", "varchar"),
        ("is_active", "bigint"),
        ("notes", "varchar"),
    ],
}

# The DuckDB format keeps the original's keys, uniqueness, NOT NULLs and defaults (so that an
# upsert on the tracking table's unique key works as on SQLite); AUTOINCREMENT becomes a sequence
# that starts after the generated ids. The two secondary indexes of mass_messages are left out
# (DuckDB prunes scans by zone maps; an ART index on 20 M rows would only cost load time). The
# primary key of mass_messages costs 10 s on 20 M rows; kept, as the key of the original.
_DUCKDB_CONSTRAINTS: dict[str, dict[str, str]] = {
    "creators": {
        "creator_id": "primary key",
        "page_name": "unique not null",
        "is_active": "default 1",
    },
    "creator_personas": {
        "persona_id": "primary key default nextval('creator_personas_persona_id_seq')",
        "creator_id": "not null",
    },
    "mass_messages": {"message_id": "primary key"},
    "volume_performance_tracking": {
        "tracking_id": "primary key default nextval('volume_performance_tracking_tracking_id_seq')",
        "creator_id": "not null",
        "tracking_date": "not null",
        "tracking_period": "not null default '14d'",
        "revenue_per_send_trend": "default 0",
        "view_rate_trend": "default 0",
        "purchase_rate_trend": "default 0",
    },
    "top_content_types": {"creator_id": "not null", "analysis_date": "not null"},
    "volume_assignments": {
        "assignment_id": "primary key default nextval('volume_assignments_assignment_id_seq')",
        "creator_id": "not null",
        "is_active": "default 1",
    },
}
_DUCKDB_TABLE_SUFFIX = {
    "volume_performance_tracking": ", unique (creator_id, tracking_date, tracking_period)",
}
_SEQUENCES = {
    "creator_personas_persona_id_seq": ("creator_personas", "persona_id"),
    "volume_performance_tracking_tracking_id_seq": ("volume_performance_tracking", "tracking_id"),
    "volume_assignments_assignment_id_seq": ("volume_assignments", "assignment_id"),
}


@dataclass(frozen=True)
class _Params:
    creators: int
    days: int
    rate: float
    seed: int
    as_of: datetime
    dirty: float

    @property
    def as_of_text(self) -> str:
        return self.as_of.strftime("%Y-%m-%d %H:%M:%S")

    @property
    def as_of_date(self) -> str:
        return self.as_of.strftime("%Y-%m-%d")


def parse_as_of(as_of: str | datetime | date | None) -> datetime:
    """``as_of`` as a naive datetime to the second. ``None`` is today at 12:00:00; a bare date
    (``'2025-12-16'``) is that day at 12:00:00, like the default."""
    if as_of is None:
        return datetime.combine(date.today(), datetime.min.time()).replace(hour=12)
    if isinstance(as_of, datetime):
        value = as_of
    elif isinstance(as_of, date):
        return datetime(as_of.year, as_of.month, as_of.day, 12)
    else:
        text = as_of.strip()
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(hour=12)
        value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return value.replace(microsecond=0)


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            print(f"[generate {elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


def generate(
    out: str | Path,
    creators: int,
    days: int,
    messages_per_creator_per_day: float,
    fmt: str = "sqlite",
    seed: int = 0,
    as_of: str | datetime | date | None = None,
    progress: bool = True,
    *,
    overwrite: bool = False,
    dirty_fraction: float = 0.002,
    extension_dir: str | Path | None = None,
) -> dict[str, int]:
    """Write a raw database of ``creators`` creators and ``days`` days of mass messages ending at
    ``as_of`` to ``out`` and return the row count of each table.

    ``fmt``: ``"sqlite"`` (created with ``raw_schema.sql``) or ``"duckdb"``. The file is written
    beside ``out`` under a temporary name and renamed at the end; an existing ``out`` is an error
    (:class:`FileExistsError`) unless ``overwrite``.
    """
    if fmt not in ("sqlite", "duckdb"):
        raise ValueError(f"fmt must be 'sqlite' or 'duckdb', not {fmt!r}")
    if creators < 1 or creators > 999_999_999:
        raise ValueError("creators must be between 1 and 999,999,999")
    if days < 1:
        raise ValueError("days must be at least 1")
    if not (math.isfinite(messages_per_creator_per_day) and messages_per_creator_per_day >= 0):
        raise ValueError("messages_per_creator_per_day must be a finite number >= 0")
    if not 0 <= dirty_fraction <= 0.5:
        raise ValueError("dirty_fraction must be between 0 and 0.5")
    target = Path(out)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists (pass overwrite=True to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    params = _Params(
        creators=creators,
        days=days,
        rate=float(messages_per_creator_per_day),
        seed=int(seed),
        as_of=parse_as_of(as_of),
        dirty=float(dirty_fraction),
    )
    log = _Progress(progress)
    log(
        f"{fmt} {target}: {creators:,} creators, {days} days to {params.as_of_text}, "
        f"{params.rate:g} messages/creator/day, seed {params.seed}"
    )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(tmp)
    try:
        if fmt == "sqlite":
            counts = _write_sqlite(tmp, params, log, extension_dir)
        else:
            counts = _write_duckdb(tmp, params, log)
        _move(tmp, target, overwrite)
    finally:
        _remove(tmp)
    size = target.stat().st_size
    log(f"done: {sum(counts.values()):,} rows, {size / 1e6:,.1f} MB in {target}")
    return counts


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}.wal"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)


def _move(tmp: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    # A hard link fails if the target appeared meanwhile: never overwrite by a race.
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(f"{target} exists (pass overwrite=True to replace it)") from None
    except OSError:
        if target.exists():
            raise FileExistsError(f"{target} exists (pass overwrite=True to replace it)") from None
        os.replace(tmp, target)
        return
    tmp.unlink()


# ---------------------------------------------------------------------------------------------
# The data, in DuckDB SQL. _prepare() fills temp tables g_<table> for every table but
# mass_messages, and g_plan (one row per creator and day: how many messages, where their ids
# start); _messages_sql() selects a range of creators' messages from the plan.
# ---------------------------------------------------------------------------------------------


def _macros(p: _Params) -> list[str]:
    # u1(salt, a), u2(salt, a, b), u3(salt, a, b, c): uniform doubles in [0, 1), from the top 53
    # bits of a chain of 64-bit mixes (DuckDB's hash of an integer is a murmur finalizer). Not
    # hash(seed, salt, a) directly: DuckDB combines the hashes of several arguments by xor-like
    # steps, so two salts give strongly correlated draws for the same key.
    seed = p.seed
    key = f"hash({seed}::bigint, s)"
    return [
        "create or replace temp macro mixk(k, a) as hash(xor(k, hash(a)))",
        f"create or replace temp macro u1(s, a) as (mixk({key}, a) >> 11) / 9007199254740992.0",
        f"create or replace temp macro u2(s, a, b) as "
        f"(mixk(mixk({key}, a), b) >> 11) / 9007199254740992.0",
        f"create or replace temp macro u3(s, a, b, c) as "
        f"(mixk(mixk(mixk({key}, a), b), c) >> 11) / 9007199254740992.0",
        "create or replace temp macro pick(xs, r) as xs[1 + floor(r * len(xs))::bigint]",
        "create or replace temp macro ts_text(t) as strftime(t, '%Y-%m-%d %H:%M:%S')",
        "create or replace temp macro clamp(x, lo, hi) as least(greatest(x, lo), hi)",
    ]


# Names for page and display names, space-separated (split in SQL).
_FIRST_NAMES = (
    "grace ava mia luna ella zoe lily chloe nora emma ruby ivy hazel stella aria maya sofia "
    "isla leah nina jade sadie piper willow daisy scarlett violet remi skye jasmine bella "
    "kira tessa eden freya lola cleo sienna nova megan"
)
_LAST_NAMES = (
    "bennett hayes rivers monroe carter brooks sloane quinn harper reed lane fox vega knight "
    "wilde stone rose blake frost hart moon steele parker ellis marlowe cruz west summers "
    "grey lake vale winter banks cole day drake noble shaw york"
)
_CONTENT_TYPES = (
    "photo_set video_clip bundle behind_the_scenes livestream_replay custom_request voice_note "
    "lingerie outdoor cosplay"
)


def _prepare(con: duckdb.DuckDBPyConnection, p: _Params) -> None:
    for statement in _macros(p):
        con.execute(statement)
    as_of = f"timestamp '{p.as_of_text}'"
    as_of_date = f"date '{p.as_of_date}'"
    dirty = p.dirty
    con.execute(f"""
        create or replace temp table g_base as
        with draws as (
            select
                i as idx,
                u1('first', i) as r_first,
                u1('last', i) as r_last,
                -- a standard normal by Box-Muller, for the log-normal fan count
                sqrt(-2 * ln(1 - u1('fans_a', i))) * cos(2 * pi() * u1('fans_b', i)) as z,
                u1('dirty', i) as r_dirty,
                u1('page_type', i) as r_page_type,
                u1('active', i) as r_active
            from range(1, {p.creators} + 1) as t(i)
        ),
        named as (
            select
                *,
                pick(string_split('{_FIRST_NAMES}', ' '), r_first) as first_name,
                pick(string_split('{_LAST_NAMES}', ' '), r_last) as last_name,
                least(2000000, floor(2000 * exp(1.6 * z)))::bigint as fans
            from draws
        )
        select
            idx,
            printf('c%06d', idx) as creator_id,
            first_name || '_' || last_name || case
                when row_number() over (partition by first_name, last_name order by idx) = 1
                    then ''
                else row_number() over (partition by first_name, last_name order by idx)::varchar
            end as page_name,
            upper(first_name[1]) || first_name[2:] || ' ' || upper(last_name[1]) || last_name[2:]
                as display_name,
            fans,
            case
                when r_dirty < {dirty / 2} then null
                when r_dirty < {dirty} then -1 - floor(u1('neg', idx) * 50)::bigint
                else fans
            end as current_active_fans,
            r_page_type >= 0.8 as is_free,
            case
                when r_dirty >= {dirty} and r_dirty < {dirty * 1.5} then ' Paid'
                when r_dirty >= {dirty * 1.5} and r_dirty < {dirty * 2} then 'FREE'
                when r_page_type >= 0.8 then 'free'
                else 'paid'
            end as page_type,
            r_active < 0.95 as is_active,
            case
                when fans >= 15000 then 'Ultra'
                when fans >= 5000 then 'High'
                when fans >= 1000 then 'Mid'
                else 'Low'
            end as fan_level,
            -- per creator: mean messages a day, the base view and purchase rates, the drift of
            -- both over the period (-0.6 .. 0.6 from the first day to the last)
            -- (the rate spread is a golden-ratio sequence, so the total is close to its mean)
            {p.rate} * (0.25 + 1.5 * ((idx * 0.6180339887498949 + u1('rate', 0)) % 1))
                as daily_rate,
            0.25 + 0.3 * u1('view', idx) as view_base,
            0.015 + 0.07 * u1('purchase', idx) as purchase_base,
            1.2 * (u1('drift', idx) - 0.5) as drift
        from named
    """)
    con.execute(f"""
        create or replace temp table g_creators as
        select
            creator_id,
            page_name,
            display_name,
            page_type,
            case
                when is_free then 0.0
                else pick([4.99, 7.99, 9.99, 9.99, 12.99, 14.99, 19.99, 24.99], u1('sub', idx))
            end as subscription_price,
            case when is_active then 1 else 0 end::bigint as is_active,
            pick(['America/New_York', 'America/Chicago', 'America/Los_Angeles',
                  'Europe/London', 'Europe/Berlin', 'Europe/Madrid', 'Australia/Sydney', 'UTC'],
                 u1('tz', idx)) as timezone,
            case
                when u1('group_null', idx) < 0.1 then null
                else pick(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'independent'],
                          u1('group', idx))
            end as creator_group,
            current_active_fans,
            round(fans * (2 + 30 * u1('earn', idx)) * (1 + u1('earn2', idx)), 2)
                as current_total_earnings,
            clamp(
                case fan_level when 'Ultra' then 1 when 'High' then 2 when 'Mid' then 3
                    else 4 end
                + case when u1('perf', idx) < 0.15 then -1 when u1('perf', idx) > 0.8 then 1
                    else 0 end,
                1, 5
            )::bigint as performance_tier,
            pick(['girl_next_door', 'playful', 'glamorous', 'sweet', 'bold', 'mysterious',
                  'sporty', 'artsy'], u1('persona_type', idx)) as persona_type,
            ts_text({as_of} - to_seconds(
                floor(86400 * (60 + 1400 * u1('created', idx)))::bigint)) as created_at,
            ts_text({as_of} - to_seconds(
                floor(86400 * 30 * u1('updated', idx))::bigint)) as updated_at
        from g_base
        order by idx
    """)
    con.execute(f"""
        create or replace temp table g_creator_personas as
        with rows as (
            select idx, creator_id, 0 as version
            from g_base
            where u1('persona', idx) < 0.85
            union all
            select idx, creator_id, 1 as version
            from g_base
            where u1('persona', idx) < 0.85 and u1('persona_old', idx) < 0.03
        )
        select
            row_number() over (order by idx, version desc)::bigint as persona_id,
            creator_id,
            pick(['flirty', 'playful', 'sweet', 'bold', 'teasing', 'friendly', 'mysterious'],
                 u2('tone1', idx, version)) as primary_tone,
            case
                when u2('tone2_null', idx, version) < 0.2 then null
                else pick(['flirty', 'playful', 'sweet', 'bold', 'teasing', 'friendly',
                           'mysterious'], u2('tone2', idx, version))
            end as secondary_tone,
            pick(['low', 'medium', 'high'], u2('emoji', idx, version)) as emoji_frequency,
            pick(['😘🔥', '💕✨', '😈💦', '🥰😍', '🍑🔥', '💋', '🌸💖'],
                 u2('emojis', idx, version)) as favorite_emojis,
            pick(['none', 'light', 'moderate', 'heavy'], u2('slang', idx, version))
                as slang_level,
            round(0.1 + 0.85 * u2('sentiment', idx, version), 3) as avg_sentiment,
            (40 + floor(260 * u2('caption', idx, version)))::bigint as avg_caption_length,
            ts_text({as_of} - to_seconds(
                floor(86400 * (1 + 59 * u2('analyzed', idx, version)
                    + 90 * version))::bigint)) as last_analyzed
        from rows
        order by persona_id
    """)
    # One row per creator and day d (0: the 24 hours ending at as_of): how many messages, and the
    # id before the first. floor(x + U) with U uniform in [0, 1) has expectation x exactly.
    con.execute(f"""
        create or replace temp table g_plan as
        with counts as (
            select
                b.idx,
                d.d,
                floor(
                    b.daily_rate * (0.6 + 0.8 * u2('day', b.idx, d.d)) + u2('day_frac', b.idx, d.d)
                )::bigint as n
            from g_base as b
            cross join range(0, {p.days}) as d(d)
        )
        select
            idx,
            d,
            n,
            (sum(n) over (order by idx, d rows unbounded preceding) - n)::bigint as first_id
        from counts
        where n > 0
    """)
    con.execute(f"""
        create or replace temp table g_volume_performance_tracking as
        with chosen as (
            select
                idx,
                creator_id,
                daily_rate,
                view_base,
                purchase_base,
                1 + floor(5 * u1('trk_len', idx))::bigint as n_days,
                case
                    when u1('trk_end', idx) < 0.6 then 0
                    when u1('trk_end', idx) < 0.85 then 1
                    when u1('trk_end', idx) < 0.95 then 2
                    else 15 + floor(20 * u1('trk_old', idx))::bigint
                end as end_age
            from g_base
            where u1('trk', idx) < 0.3
        ),
        rows as (
            select c.*, a.age, '14d' as period
            from chosen as c
            cross join lateral (select unnest(range(c.end_age, c.end_age + c.n_days)) as age) as a
            union all
            select c.*, c.end_age as age, p.period
            from chosen as c
            cross join (values ('7d'), ('30d')) as p(period)
            where u1('trk_more', c.idx) < 0.2
            union all
            -- dirty: a row dated after as_of (its creator's others stay)
            select c.*, -1 as age, '14d' as period
            from chosen as c
            where u1('trk_future', c.idx) < {dirty * 5}
        ),
        metrics as (
            select
                *,
                u3('sat_a', idx, age, period) as r1,
                u3('sat_b', idx, age, period) as r2,
                u3('opp_a', idx, age, period) as r3,
                u3('opp_b', idx, age, period) as r4,
                u3('trend_a', idx, age, period) as r5,
                u3('trend_b', idx, age, period) as r6,
                u3('dirty', idx, age, period) as rd,
                {as_of_date} - age::integer as tracking_day,
                case period when '7d' then 7 when '30d' then 30 else 14 end as period_days
            from rows
        )
        select
            row_number() over (order by idx, tracking_day, period_days)::bigint as tracking_id,
            creator_id,
            strftime(tracking_day, '%Y-%m-%d') as tracking_date,
            period as tracking_period,
            round(daily_rate * (0.8 + 0.4 * r1), 2) as avg_daily_volume,
            round(daily_rate * (0.8 + 0.4 * r1) * period_days)::bigint as total_messages_sent,
            round(view_base * purchase_base * 15 * (0.8 + 0.4 * r2), 4) as avg_revenue_per_send,
            round(view_base * (0.9 + 0.2 * r3), 4) as avg_view_rate,
            round(purchase_base * (0.8 + 0.4 * r4), 4) as avg_purchase_rate,
            round(daily_rate * period_days * 300 * (0.5 + r2), 2) as total_earnings,
            round(80 * ((r5 + r6) / 2 - 0.5), 1) as revenue_per_send_trend,
            round(40 * ((r5 + r3) / 2 - 0.5), 1) as view_rate_trend,
            round(40 * ((r6 + r4) / 2 - 0.5), 1) as purchase_rate_trend,
            round(0.2 + r1 * r2, 3) as earnings_volatility,
            case
                when rd < {dirty * 5} then 105.0
                when rd < {dirty * 10} then -5.0
                else round(100 * (r1 + r2) / 2, 2)
            end as saturation_score,
            case
                when rd >= {dirty * 10} and rd < {dirty * 15} then null
                else round(100 * (r3 + r4) / 2, 2)
            end as opportunity_score,
            (floor(5 * r6) - 2)::bigint as recommended_volume_delta,
            ts_text(tracking_day + interval 2 hour + to_seconds(floor(7200 * r5)::bigint))
                as calculated_at
        from metrics
        order by tracking_id
    """)
    con.execute(f"""
        create or replace temp table g_top_content_types as
        with chosen as (
            select idx, creator_id, purchase_base, daily_rate
            from g_base
            where u1('top', idx) < 0.4
        ),
        dates as (
            select c.*, 0 as version, 1 + floor(7 * u1('top_date', idx))::integer as age
            from chosen as c
            union all
            select c.*, 1 as version, 31 + floor(7 * u1('top_date', idx))::integer as age
            from chosen as c
            where u1('top_old', idx) < 0.5
        ),
        ranked as (
            select
                d.*,
                t.content_type,
                row_number() over (
                    partition by d.idx, d.version
                    order by u3('top_rank', d.idx, d.version, t.content_type)
                ) as rank
            from dates as d
            cross join (
                select unnest(string_split('{_CONTENT_TYPES}', ' ')) as content_type
            ) as t
        )
        select
            creator_id,
            strftime({as_of_date} - age, '%Y-%m-%d') as analysis_date,
            rank::bigint as rank,
            content_type,
            send_count::bigint as send_count,
            round(send_count * avg_earnings, 2) as total_earnings,
            avg_earnings,
            avg_purchase_rate,
            case when rank <= 2 then 'high' when rank <= 4 then 'medium' else 'low' end
                as performance_tier
        from (
            select
                *,
                greatest(1, round(daily_rate * 30 / (rank + 1)))::bigint as send_count,
                round((60 - 8 * rank) * (0.5 + u3('top_earn', idx, version, rank)), 2)
                    as avg_earnings,
                round(purchase_base * (1.3 - 0.1 * rank), 4) as avg_purchase_rate
            from ranked
            where rank <= 5
        )
        order by idx, version, rank
    """)
    con.execute(f"""
        create or replace temp table g_volume_assignments as
        with levels as (
            select * from (values
                ('Low', 2, 2), ('Mid', 3, 2), ('High', 4, 3), ('Ultra', 6, 4)
            ) as l(level, ppv, bump)
        ),
        rows as (
            select
                idx,
                creator_id,
                0 as version,
                1 as is_active,
                case
                    when u1('va_match', idx) < 0.5 then fan_level
                    else pick(['Low', 'Mid', 'High', 'Ultra'], u1('va_level', idx))
                end as level
            from g_base
            where u1('va', idx) < 0.9
            union all
            select
                b.idx,
                b.creator_id,
                v.version,
                0 as is_active,
                pick(['Low', 'Mid', 'High', 'Ultra'], u2('va_old_level', b.idx, v.version))
                    as level
            from g_base as b
            cross join (values (1), (2)) as v(version)
            where u1('va_old', b.idx) < 0.33
                and (v.version = 1 or u1('va_old2', b.idx) < 0.4)
        ),
        dated as (
            select
                r.*,
                {as_of} - to_seconds(floor(86400 * (
                    20 + 200 * r.version + 150 * u2('va_at', r.idx, r.version)))::bigint)
                    as assigned_ts
            from rows as r
        )
        select
            row_number() over (order by d.idx, d.assigned_ts)::bigint as assignment_id,
            d.creator_id,
            d.level as volume_level,
            greatest(1, l.ppv + (floor(3 * u2('va_ppv', d.idx, d.version)) - 1))::bigint
                as ppv_per_day,
            l.bump::bigint as bump_per_day,
            ts_text(d.assigned_ts) as assigned_at,
            pick(['admin', 'scheduler', 'account_manager'], u2('va_by', d.idx, d.version))
                as assigned_by,
            pick(['fan_count_bracket', 'manual_override', 'performance_review'],
                 u2('va_reason', d.idx, d.version)) as assigned_reason,
            d.is_active::bigint as is_active,
            case
                when u2('va_note', d.idx, d.version) < 0.7 then null
                when d.is_active = 0 then 'superseded'
                else 'set at onboarding'
            end as notes
        from dated as d
        join levels as l on l.level = d.level
        order by assignment_id
    """)


def _messages_sql(p: _Params, lo: int, hi: int) -> str:
    """mass_messages of creators idx in [lo, hi), in message_id order."""
    as_of_us = _epoch_us(p.as_of)
    as_of_clock = p.as_of.hour * 3600 + p.as_of.minute * 60 + p.as_of.second
    days_m1 = max(p.days - 1, 1)
    dirty = p.dirty
    return f"""
        with slots as (
            select
                g.idx,
                g.d,
                g.first_id + j.j + 1 as message_id
            from g_plan as g, range(g.n) as j(j)
            where g.idx >= {lo} and g.idx < {hi}
        ),
        draws as (
            select
                s.message_id,
                s.d,
                b.creator_id,
                b.page_name,
                b.fans,
                b.current_active_fans,
                b.view_base,
                b.purchase_base,
                -- the drift of rates, from the period's first day to its last
                1 + b.drift * ((({days_m1} - s.d) / {days_m1}) - 0.5) as drift_factor,
                -- clock time: the sum of two uniforms, peaking at 18:00, least at 06:00
                (floor(43200 * (u1('clock_a', s.message_id) + u1('clock_b', s.message_id)))::bigint
                    + 21600) % 86400 as clock,
                u1('type', s.message_id) as r_type,
                u1('price', s.message_id) as r_price,
                u1('sent', s.message_id) as r_sent,
                u1('view', s.message_id) as r_view,
                u1('buy', s.message_id) as r_buy
            from slots as s
            join g_base as b on b.idx = s.idx
        ),
        shaped as (
            select
                *,
                r_type < 0.85 as is_ppv,
                case
                    when r_sent < {dirty} then 0
                    else floor(
                        (case when current_active_fans is null then 300
                            else greatest(fans, 0) end) * (0.55 + 0.4 * r_sent)
                    )::bigint
                end as sent,
                clamp(view_base * drift_factor * (0.85 + 0.3 * r_view), 0.2, 0.6) as view_rate,
                clamp(purchase_base * drift_factor * (0.7 + 0.6 * r_buy), 0.01, 0.1)
                    as purchase_rate,
                (({as_of_clock} - clock) % 86400 + 86400) % 86400 as back
            from draws
        ),
        priced as (
            select
                *,
                case
                    when is_ppv then pick([4.99, 7.99, 9.99, 12.0, 14.99, 19.99, 24.99, 29.99,
                                           39.99, 49.99], pow(r_price, 1.5))
                    else 0.0
                end as price_,
                case when is_ppv then round(sent * purchase_rate)::bigint else 0 end
                    as purchased
            from shaped
        )
        select
            message_id,
            creator_id,
            page_name,
            ts_text(make_timestamp({as_of_us} - (d * 86400 + back) * 1000000)) as sending_time,
            case when is_ppv then 'ppv' else 'free' end as message_type,
            price_ as price,
            sent as sent_count,
            round(sent * view_rate)::bigint as viewed_count,
            purchased as purchased_count,
            round(purchased * price_, 2) as earnings
        from priced
        order by message_id
    """


def _epoch_us(value: datetime) -> int:
    delta = value - datetime(1970, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 1_000_000


def _message_batches(con: duckdb.DuckDBPyConnection, p: _Params) -> Iterator[tuple[int, int, int]]:
    """Ranges [lo, hi) of creator idx holding about _BATCH_ROWS messages each, and their rows."""
    rows = con.execute("select idx, sum(n) from g_plan group by idx order by idx").fetchall()
    lo = 1
    total = 0
    for idx, n in rows:
        total += int(n)
        if total >= _BATCH_ROWS:
            yield lo, idx + 1, total
            lo = idx + 1
            total = 0
    if total:
        yield lo, p.creators + 1, total


def _column_list(table: str) -> str:
    return ", ".join(name for name, _ in _COLUMNS[table])


def _typed(table: str, select_sql: str) -> str:
    """``select_sql`` with every column cast to its type in the DuckDB format."""
    casts = ", ".join(f"{name}::{dtype} as {name}" for name, dtype in _COLUMNS[table])
    return f"select {casts} from ({select_sql})"


def _build(
    con: duckdb.DuckDBPyConnection,
    p: _Params,
    log: _Progress,
    insert: Callable[[str, str], int],
) -> dict[str, int]:
    """Hand each table (a SELECT over the tables of :func:`_prepare`) to
    ``insert(table, select_sql)``, mass_messages in batches."""
    counts: dict[str, int] = {}
    for table in TABLES:
        if table == "mass_messages":
            continue
        counts[table] = insert(table, _typed(table, f"select * from g_{table}"))
        log(f"{table}: {counts[table]:,} rows")
    counts["mass_messages"] = 0
    planned = con.execute("select coalesce(sum(n), 0) from g_plan").fetchone()
    expected = int(planned[0]) if planned else 0
    for lo, hi, _ in _message_batches(con, p):
        select_sql = _typed("mass_messages", _messages_sql(p, lo, hi))
        counts["mass_messages"] += insert("mass_messages", select_sql)
        log(f"mass_messages: {counts['mass_messages']:,} / {expected:,} rows")
    return {table: counts[table] for table in TABLES}


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def raw_schema_statements() -> tuple[list[str], list[str]]:
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


def _write_sqlite(
    path: Path, p: _Params, log: _Progress, extension_dir: str | Path | None
) -> dict[str, int]:
    tables, indexes = raw_schema_statements()
    # The original DDL, by SQLite itself; the indexes are created after the load (faster).
    with sqlite3.connect(path) as sq:
        for statement in tables:
            sq.execute(statement)
    sq.close()
    ensure_sqlite_extension(extension_dir)
    con = duckdb.connect(config=duckdb_config(extension_dir))
    try:
        con.execute(f"attach '{_quote(str(path))}' as raw (type sqlite)")

        def insert(table: str, select_sql: str) -> int:
            con.execute("begin transaction")
            con.execute(f"insert into raw.{table} ({_column_list(table)}) {select_sql}")
            row = con.fetchone()
            con.execute("commit")
            return int(row[0]) if row else 0

        _prepare(con, p)
        log("drew creators, message plan and small tables")
        counts = _build(con, p, log, insert)
        con.execute("detach raw")
    finally:
        con.close()
    # Measured on 20 M messages: indexes built after the load take 15 s, maintained during it
    # they make the load 5 times slower; sorter threads help a little, a large cache does not.
    sq = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode = off", "synchronous = off", "threads = 2"):
            sq.execute(f"pragma {pragma}").fetchall()
        for statement in indexes:
            sq.execute(statement)
            log(f"index: {statement.split(' ON ')[0].split()[-1]}")
    finally:
        sq.close()
    return counts


def _quote(text: str) -> str:
    return text.replace("'", "''")


def duckdb_ddl(table: str) -> str:
    """CREATE TABLE of ``table`` in the DuckDB format."""
    constraints = _DUCKDB_CONSTRAINTS.get(table, {})
    columns = [
        f"    {name} {dtype}{(' ' + constraints[name]) if name in constraints else ''}"
        for name, dtype in _COLUMNS[table]
    ]
    return (
        f"create table {table} (\n"
        + ",\n".join(columns)
        + _DUCKDB_TABLE_SUFFIX.get(table, "")
        + "\n)"
    )


def _write_duckdb(path: Path, p: _Params, log: _Progress) -> dict[str, int]:
    con = duckdb.connect(str(path))
    try:
        _prepare(con, p)
        log("drew creators, message plan and small tables")
        for sequence, (table, column) in _SEQUENCES.items():
            row = con.execute(f"select coalesce(max({column}), 0) + 1 from g_{table}").fetchone()
            start = int(row[0]) if row else 1
            con.execute(f"create sequence {sequence} start with {start}")
        for table in TABLES:
            con.execute(duckdb_ddl(table))

        def insert(table: str, select_sql: str) -> int:
            con.execute(f"insert into main.{table} ({_column_list(table)}) {select_sql}")
            row = con.fetchone()
            return int(row[0]) if row else 0

        counts = _build(con, p, log, insert)
        con.execute("checkpoint")
    finally:
        con.close()
    return counts

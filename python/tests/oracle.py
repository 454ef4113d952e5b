"""An independent oracle of the volume rules (SPEC.md sections 2-7), written from the SPEC alone.

It reads raw rows as strings (as in the demo CSVs; ``None`` for null) and computes, per creator,
the fields of ``volume_config``. It deliberately shares nothing with the SQL in ``models/`` and
``macros/``: exact arithmetic with ``fractions.Fraction``, ``decimal.Decimal`` with ROUND_HALF_UP
for every rounding step, and the tier bases hard-coded below from the SPEC section 2 table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

# --- SPEC section 2: tiers and base volumes (default seed values) -------------------------------

# (level, min_fans) from the highest tier down; brackets inclusive on the lower bound.
TIER_BRACKETS = (("Ultra", 15000), ("High", 5000), ("Mid", 1000), ("Low", 0))

# level -> (revenue, engagement, retention, bundle/week, game/week, follow-up cap), paid pages.
TIER_BASES = {
    "Ultra": (6, 4, 3, 4, 3, 5),
    "High": (4, 3, 2, 3, 2, 4),
    "Mid": (3, 2, 2, 2, 2, 3),
    "Low": (2, 2, 1, 1, 1, 2),
}
# Revenue sub-brackets at the middle of Mid and Low: (level, from fans, revenue from there on).
REVENUE_SUB_BRACKETS = {"Mid": (3000, 4), "Low": (500, 3)}

# --- SPEC sections 3-6: thresholds and points (dbt vars defaults) -------------------------------

TRACKING_MAX_AGE_DAYS = 14
MIN_MESSAGES_FOR_SCORES = 5
DEFAULT_SATURATION = Fraction(50)
DEFAULT_OPPORTUNITY = Fraction(50)
WINDOW = timedelta(days=14)

REVENUE_RANGE = (1, 8)
ENGAGEMENT_RANGE = (1, 6)
RETENTION_RANGE = (0, 4)
TREND_THRESHOLD = Fraction(15)

FIELDS = (
    "volume_level",
    "revenue_items_per_day",
    "engagement_items_per_day",
    "retention_items_per_day",
    "ppv_per_day",
    "bump_per_day",
    "bundle_per_week",
    "game_per_week",
    "followup_per_day",
    "saturation_score",
    "opportunity_score",
    "revenue_trend",
    "saturation_multiplier",
    "opportunity_multiplier",
    "volume_multiplier",
    "data_source",
    "tracking_date",
    "data_quality_flags",
    "fan_count",
    "page_type",
    "is_active",
)


# --- helpers -------------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _num(value: object) -> Fraction | None:
    """A raw numeric cell as an exact Fraction (None for null / empty)."""
    if _blank(value):
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(str(value))
    return Fraction(str(value).strip())


def _timestamp(value: object) -> datetime | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).strip())


def _date(value: object) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def round_half_up(value: Fraction | Decimal | int, places: int = 0) -> Decimal:
    """Exact half-up rounding (2.5 -> 3, 2.45 -> 2 at 0 places; -2.5 -> -3)."""
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 60
            value = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-places)
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def _r6(value: Fraction | Decimal) -> Decimal:
    return round_half_up(value, 6)


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _clamp(value, low, high):
    return max(low, min(high, value))


# --- section 2: tier ------------------------------------------------------------------------------


def tier_for(fans: int) -> str:
    for level, min_fans in TIER_BRACKETS:
        if fans >= min_fans:
            return level
    return "Low"


def bases_for(level: str, fans: int, page_type: str) -> dict[str, int]:
    revenue, engagement, retention, bundle, game, cap = TIER_BASES[level]
    if level in REVENUE_SUB_BRACKETS:
        from_fans, upper_revenue = REVENUE_SUB_BRACKETS[level]
        if fans >= from_fans:
            revenue = upper_revenue
    if page_type == "free":
        retention = 0
    return {
        "revenue": revenue,
        "engagement": engagement,
        "retention": retention,
        "bundle": bundle,
        "game": game,
        "cap": cap,
    }


# --- section 3: multipliers -----------------------------------------------------------------------


def saturation_multiplier(saturation: Fraction) -> Decimal:
    if saturation > 70:
        return Decimal("0.7")
    if 50 <= saturation <= 70:
        return Decimal("0.9")
    return Decimal("1.0")


def opportunity_multiplier(opportunity: Fraction, saturation: Fraction) -> Decimal:
    if opportunity > 70 and saturation < 50:
        return Decimal("1.2")
    if 60 <= opportunity <= 70 and saturation < 30:
        return Decimal("1.1")
    return Decimal("1.0")


# --- section 6: on-demand scores ------------------------------------------------------------------


def _pstdev_over_mean(earnings: list[Fraction]) -> Decimal:
    """volatility = stddev_pop / mean (0 with fewer than 2 values or a mean of 0), 6 decimals."""
    if len(earnings) < 2:
        return Decimal(0)
    mean = _mean(earnings)
    if mean == 0:
        return Decimal(0)
    variance = sum(((e - mean) ** 2 for e in earnings), Fraction(0)) / len(earnings)
    with localcontext() as ctx:
        ctx.prec = 60
        std = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
        ratio = std / (Decimal(mean.numerator) / Decimal(mean.denominator))
    return _r6(ratio)


def _pct_change(current: Fraction | None, previous: Fraction | None) -> Decimal | None:
    """Percent change rounded to 6 decimals; None when no points can come from it."""
    if current is None or previous is None or previous <= 0:
        return None
    return _r6(100 * (current - previous) / previous)


def window_metrics(messages: list[dict]) -> dict:
    rps = [m["earnings"] / m["sent"] for m in messages if m["earnings"] is not None]
    vr = [m["viewed"] / m["sent"] for m in messages if m["viewed"] is not None]
    pr = [m["purchased"] / m["sent"] for m in messages if m["purchased"] is not None]
    earnings = [m["earnings"] for m in messages if m["earnings"] is not None]
    return {
        "count": len(messages),
        "rps": _mean(rps),
        "vr": _mean(vr),
        "pr": _mean(pr),
        "volatility": _pstdev_over_mean(earnings),
    }


def on_demand_scores(messages: Iterable[dict], as_of: datetime) -> dict | None:
    """Scores from one creator's mass_messages rows, or None with too few current messages."""
    current: list[dict] = []
    previous: list[dict] = []
    for row in messages:
        if row.get("message_type") != "ppv":
            continue
        sent = _num(row.get("sent_count"))
        if sent is None or sent <= 0:
            continue
        sent_at = _timestamp(row.get("sending_time"))
        if sent_at is None:
            continue
        message = {
            "sent": sent,
            "viewed": _num(row.get("viewed_count")),
            "purchased": _num(row.get("purchased_count")),
            "earnings": _num(row.get("earnings")),
        }
        if as_of - WINDOW < sent_at <= as_of:
            current.append(message)
        elif as_of - 2 * WINDOW < sent_at <= as_of - WINDOW:
            previous.append(message)
    if len(current) < MIN_MESSAGES_FOR_SCORES:
        return None
    cur = window_metrics(current)
    prev = window_metrics(previous) if previous else cur  # empty previous window reads as equal

    rps_change = _pct_change(cur["rps"], prev["rps"])
    vr_change = _pct_change(cur["vr"], prev["vr"])
    pr_change = _pct_change(cur["pr"], prev["pr"])
    current_pr = _r6(cur["pr"]) if cur["pr"] is not None else None
    volatility = cur["volatility"]

    saturation = Decimal(50)
    if rps_change is not None and rps_change < -15:
        saturation += 20
    if vr_change is not None and vr_change < -10:
        saturation += 15
    if pr_change is not None and pr_change < -10:
        saturation += 10
    if volatility > Decimal("0.6"):
        saturation += 15

    opportunity = Decimal(50)
    if rps_change is not None and rps_change > 15:
        opportunity += 20
    if vr_change is not None and vr_change > 5:
        opportunity += 15
    if current_pr is not None and current_pr > Decimal("0.05"):
        opportunity += 10

    saturation = round_half_up(_clamp(saturation, Decimal(0), Decimal(100)), 2)
    opportunity = round_half_up(_clamp(opportunity, Decimal(0), Decimal(100)), 2)
    return {
        "saturation": Fraction(saturation),
        "opportunity": Fraction(opportunity),
        "rps_change": rps_change,
        "vr_change": vr_change,
        "pr_change": pr_change,
        "current_pr": current_pr,
        "volatility": volatility,
        "current_count": len(current),
        "previous_count": len(previous),
    }


# --- section 5: where the scores come from --------------------------------------------------------


def choose_tracking_row(rows: Iterable[dict], as_of: datetime) -> tuple[dict | None, bool]:
    """The usable 14d tracking row (newest, non-null saturation, age 0..max) and whether the
    creator has a 14d row dated after date(as_of)."""
    today = as_of.date()
    best: dict | None = None
    best_date: date | None = None
    in_future = False
    for row in rows:
        if row.get("tracking_period") != "14d":
            continue
        tracked = _date(row.get("tracking_date"))
        if tracked is None:
            continue
        if tracked > today:
            in_future = True
            continue
        if _num(row.get("saturation_score")) is None:
            continue
        if (today - tracked).days > TRACKING_MAX_AGE_DAYS:
            continue
        if best_date is None or tracked > best_date:
            best, best_date = row, tracked
    return best, in_future


# --- the whole configuration ----------------------------------------------------------------------


def _group(rows: Iterable[dict] | None) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows or ():
        grouped.setdefault(row.get("creator_id"), []).append(row)
    return grouped


def _is_active(value: object) -> bool | None:
    if _blank(value):
        return None
    text = str(value).strip().lower()
    if text in ("true", "t"):
        return True
    if text in ("false", "f"):
        return False
    return Fraction(text) != 0


def expected_config(
    creator: dict, tracking_rows: list[dict], messages: list[dict], as_of: datetime
) -> dict:
    flags: set[str] = set()

    fans_raw = _num(creator.get("current_active_fans"))
    if fans_raw is None:
        fans = 0
        flags.add("fan_count_missing")
    elif fans_raw < 0:
        fans = 0
        flags.add("fan_count_negative")
    else:
        fans = int(fans_raw)

    page_type_raw = creator.get("page_type")
    page_type = page_type_raw.strip().lower() if isinstance(page_type_raw, str) else None
    if page_type not in ("paid", "free"):
        page_type = "paid"
        flags.add("page_type_unknown")

    level = tier_for(fans)
    bases = bases_for(level, fans, page_type)

    row, in_future = choose_tracking_row(tracking_rows, as_of)
    if in_future:
        flags.add("tracking_in_future")
    scored = None if row is not None else on_demand_scores(messages, as_of)
    if row is not None:
        saturation = _num(row.get("saturation_score"))
        if not 0 <= saturation <= 100:
            saturation = _clamp(saturation, Fraction(0), Fraction(100))
            flags.add("saturation_clamped")
        opportunity = _num(row.get("opportunity_score"))
        if opportunity is None:
            opportunity = DEFAULT_OPPORTUNITY
            flags.add("opportunity_missing")
        elif not 0 <= opportunity <= 100:
            opportunity = _clamp(opportunity, Fraction(0), Fraction(100))
            flags.add("opportunity_clamped")
        trend = _num(row.get("revenue_per_send_trend"))
        trend = Fraction(0) if trend is None else trend
        data_source = "volume_performance_tracking"
        tracking_date = _date(row.get("tracking_date"))
    elif scored is not None:
        saturation, opportunity = scored["saturation"], scored["opportunity"]
        trend = Fraction(0)
        data_source = "calculated_on_demand"
        tracking_date = as_of.date()
    else:
        saturation, opportunity, trend = DEFAULT_SATURATION, DEFAULT_OPPORTUNITY, Fraction(0)
        data_source = "default_values"
        tracking_date = None

    sat_m = saturation_multiplier(saturation)
    opp_m = opportunity_multiplier(opportunity, saturation)
    volume_m = sat_m * opp_m

    revenue = int(round_half_up(bases["revenue"] * volume_m))
    engagement = int(round_half_up(bases["engagement"] * volume_m))
    retention = int(round_half_up(bases["retention"] * volume_m))
    if trend < -TREND_THRESHOLD:
        revenue -= 1
    elif trend > TREND_THRESHOLD:
        revenue += 1
    revenue = _clamp(revenue, *REVENUE_RANGE)
    engagement = _clamp(engagement, *ENGAGEMENT_RANGE)
    retention = 0 if page_type == "free" else _clamp(retention, *RETENTION_RANGE)

    return {
        "volume_level": level,
        "revenue_items_per_day": revenue,
        "engagement_items_per_day": engagement,
        "retention_items_per_day": retention,
        "ppv_per_day": revenue,
        "bump_per_day": engagement,
        "bundle_per_week": bases["bundle"],
        "game_per_week": bases["game"],
        "followup_per_day": min(revenue, bases["cap"]),
        "saturation_score": float(saturation),
        "opportunity_score": float(opportunity),
        "revenue_trend": float(trend),
        "saturation_multiplier": float(sat_m),
        "opportunity_multiplier": float(opp_m),
        "volume_multiplier": float(volume_m),
        "data_source": data_source,
        "tracking_date": tracking_date.isoformat() if tracking_date else None,
        "data_quality_flags": sorted(flags),
        "fan_count": fans,
        "page_type": page_type,
        "is_active": _is_active(creator.get("is_active")),
    }


def expected_configs(tables: dict[str, list[dict]], as_of: datetime) -> dict[str, dict]:
    """Every creator's expected volume_config fields, keyed by creator_id."""
    tracking = _group(tables.get("volume_performance_tracking"))
    messages = _group(tables.get("mass_messages"))
    return {
        creator["creator_id"]: expected_config(
            creator,
            tracking.get(creator["creator_id"], []),
            messages.get(creator["creator_id"], []),
            as_of,
        )
        for creator in tables["creators"]
    }

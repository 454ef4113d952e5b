#!/usr/bin/env python3
"""Write the bundled eros-volume demo data set as dbt seed CSVs (seeds/demo/*.csv).

Deterministic: a fixed random seed, no clock. Re-running it rewrites the same bytes.

    .venv/bin/python scripts/make_demo_data.py            # writes seeds/demo/ under the project root
    .venv/bin/python scripts/make_demo_data.py --out DIR  # writes elsewhere

The data set is built for a build pinned to as_of = 2025-12-16 12:00:00 and holds:
  * 37 clean active creators (Ultra 5, High 7, Mid 11, Low 14 by current_active_fans), spread over the three
    data sources (volume_performance_tracking, calculated_on_demand, default_values);
  * 3 inactive creators with ordinary data;
  * malformed active creators, each named after what is wrong with it (creator_id 'malformed_...').
Each creator's purpose is listed in docs/demo-data.md. The hand-crafted message scenarios (CUR / PREV
below) use exact rates so that the thresholds of SPEC section 6 are hit (or exactly missed) on purpose.
Columns are read from the one raw schema (eros_volume.raw_schema: raw_schema.sql without its
GENERATED columns).
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from eros_volume import raw_schema

SEED = 20251216
AS_OF = datetime(2025, 12, 16, 12, 0, 0)
TS = "%Y-%m-%d %H:%M:%S"

rng = random.Random(SEED)


def ts(s: str) -> datetime:
    return datetime.strptime(s, TS)


# --------------------------------------------------------------------------------------------------
# creators
# --------------------------------------------------------------------------------------------------
# (creator_id, display_name, page_type as stored, fans, is_active, role)
# role: T = volume_performance_tracking, D = designed for calculated_on_demand, N = no data (defaults),
#       I = inactive, M = malformed
CREATORS = [
    # ---- Ultra (>= 15000): 5 -------------------------------------------------------------------
    ("mia_castillo", "Mia Castillo", "paid", 52890, 1, "T"),
    ("ava_sinclair", "Ava Sinclair", "paid", 15000, 1, "T"),
    ("chloe_harper", "Chloe Harper", "paid", 23410, 1, "T"),
    ("lily_monroe", "Lily Monroe", "paid", 18750, 1, "N"),
    ("scarlett_vance", "Scarlett Vance", "free", 31200, 1, "N"),
    # ---- High (5000-14999): 7 ------------------------------------------------------------------
    ("grace_bennett", "Grace Bennett", "paid", 12434, 1, "T"),
    ("emma_whitfield", "Emma Whitfield", "paid", 5000, 1, "T"),
    ("zoe_kessler", "Zoe Kessler", "Free", 8815, 1, "T"),
    ("hannah_brooks", "Hannah Brooks", "paid", 11184, 1, "D"),
    ("nora_delgado", "Nora Delgado", "paid", 14999, 1, "D"),
    ("ivy_mercer", "Ivy Mercer", "paid", 13070, 1, "D"),
    ("ruby_carlisle", "Ruby Carlisle", "paid", 6320, 1, "N"),
    # ---- Mid (1000-4999): 11 -------------------------------------------------------------------
    ("stella_park", "Stella Park", "paid", 3000, 1, "T"),
    ("leah_donovan", "Leah Donovan", "paid", 4210, 1, "T"),
    ("maya_lindqvist", "Maya Lindqvist", "free", 1480, 1, "T"),
    ("aria_fontaine", "Aria Fontaine", "paid", 2999, 1, "T"),
    ("elena_ruiz", "Elena Ruiz", "paid", 1000, 1, "D"),
    ("paige_holloway", "Paige Holloway", "paid", 2150, 1, "D"),
    ("jade_whitaker", "Jade Whitaker", "free", 2640, 1, "D"),
    ("sienna_ward", "Sienna Ward", "paid", 3375, 1, "D"),
    ("bella_quinn", "Bella Quinn", " PAID", 4650, 1, "D"),
    ("tessa_moreau", "Tessa Moreau", "paid", 3820, 1, "N"),
    ("willow_hayes", "Willow Hayes", "paid", 4999, 1, "N"),
    # ---- Low (0-999): 14 -----------------------------------------------------------------------
    ("luna_ashford", "Luna Ashford", "paid", 688, 1, "T"),
    ("daisy_fletcher", "Daisy Fletcher", "paid", 500, 1, "T"),
    ("piper_lawson", "Piper Lawson", "paid", 912, 1, "T"),
    ("nina_petrova", "Nina Petrova", "paid", 120, 1, "D"),
    ("cora_jennings", "Cora Jennings", "paid", 248, 1, "D"),
    ("vera_santos", "Vera Santos", "free", 417, 1, "D"),
    ("june_harlow", "June Harlow", "paid", 562, 1, "D"),
    ("kira_blackwood", "Kira Blackwood", "paid", 830, 1, "D"),
    ("remi_caldwell", "Remi Caldwell", "paid", 999, 1, "D"),
    ("skye_navarro", "Skye Navarro", "free", 0, 1, "N"),
    ("rose_kim", "Rose Kim", "paid", 35, 1, "N"),
    ("faith_oconnor", "Faith O'Connor", "free", 310, 1, "N"),
    ("autumn_reed", "Autumn Reed", "paid", 499, 1, "N"),
    ("eden_marsh", "Eden Marsh", "paid", 745, 1, "N"),
    # ---- inactive (is_active 0), ordinary data -------------------------------------------------
    ("sophia_reyes", "Sophia Reyes", "paid", 16800, 0, "I"),
    ("olivia_grant", "Olivia Grant", "free", 2300, 0, "I"),
    ("madison_cole", "Madison Cole", "paid", 450, 0, "I"),
    # ---- malformed, active ---------------------------------------------------------------------
    ("malformed_null_fans", "Malformed Null Fans", "paid", None, 1, "M"),
    ("malformed_negative_fans", "Malformed Negative Fans", "free", -50, 1, "M"),
    ("malformed_vip_page_type", "Malformed VIP Page Type", "vip", 7200, 1, "M"),
    ("malformed_null_page_type", "Malformed Null Page Type", None, 2100, 1, "M"),
    ("malformed_saturation_130", "Malformed Saturation 130", "paid", 9000, 1, "M"),
    ("malformed_saturation_negative", "Malformed Saturation Negative", "paid", 3500, 1, "M"),
    ("malformed_opportunity_negative", "Malformed Opportunity Negative", "paid", 1800, 1, "M"),
    ("malformed_opportunity_130", "Malformed Opportunity 130", "paid", 650, 1, "M"),
    ("malformed_null_opportunity", "Malformed Null Opportunity", "paid", 20500, 1, "M"),
    ("malformed_future_tracking", "Malformed Future Tracking", "paid", 5400, 1, "M"),
    ("malformed_stale_tracking", "Malformed Stale Tracking", "paid", 1250, 1, "M"),
    ("malformed_null_saturation", "Malformed Null Saturation", "paid", 780, 1, "M"),
]

TIMEZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
             "Europe/London", "Europe/Berlin", "Australia/Sydney"]
GROUPS = ["Team Aurora", "Team Blaze", "Team Coral", "Independent"]
PERSONA_TYPES = ["girl_next_door", "playful_tease", "luxury_muse", "bratty_gamer", "fitness_queen",
                 "cozy_sweetheart", "alt_goth"]
PAID_PRICES = [4.99, 7.99, 9.99, 12.99, 14.99, 19.99]


def page_name(creator_id: str) -> str:
    return creator_id.replace("_", "")


def build_creators() -> list[dict]:
    rows = []
    used_earnings: set[float] = set()
    for i, (cid, display, ptype, fans, active, _role) in enumerate(CREATORS):
        base = max(fans or 0, 0)
        while True:  # earnings roughly follow fans, distinct across all creators
            earnings = round(1500 + base * rng.uniform(2.2, 6.5) + rng.uniform(0, 900), 2)
            if earnings not in used_earnings:
                used_earnings.add(earnings)
                break
        norm = (ptype or "").strip().lower()
        created = datetime(2023, 1, 9, 10, 0, 0) + timedelta(days=17 * i, minutes=37 * i)
        rows.append({
            "creator_id": cid,
            "page_name": page_name(cid),
            "display_name": display,
            "page_type": ptype,
            "subscription_price": 0.0 if norm == "free" else rng.choice(PAID_PRICES),
            "is_active": active,
            "timezone": TIMEZONES[i % len(TIMEZONES)],
            "creator_group": GROUPS[(i * 3) % len(GROUPS)],
            "current_active_fans": fans,
            "current_total_earnings": earnings,
            "performance_tier": None,  # set below from earnings rank
            "persona_type": PERSONA_TYPES[(i * 5) % len(PERSONA_TYPES)],
            "created_at": created.strftime(TS),
            "updated_at": (datetime(2025, 12, 15, 6, 0, 0) - timedelta(days=i % 9, minutes=11 * i))
            .strftime(TS),
        })
    # performance_tier 1 (top earners) .. 5, by earnings rank
    ranked = sorted(rows, key=lambda r: -r["current_total_earnings"])
    for pos, r in enumerate(ranked):
        r["performance_tier"] = 1 + (pos * 5) // len(ranked)
    return rows


# --------------------------------------------------------------------------------------------------
# creator_personas
# --------------------------------------------------------------------------------------------------
NO_PERSONA = {"rose_kim", "eden_marsh", "remi_caldwell", "madison_cole", "malformed_null_fans",
              "malformed_future_tracking"}
TWO_PERSONAS = "stella_park"  # the newer last_analyzed row gets the LOWER persona_id (newest must win)
TONES = ["playful", "seductive", "sweet", "bratty", "confident", "mysterious", "flirty", "caring"]
EMOJI_FREQ = ["low", "moderate", "high"]
EMOJIS = ["😘🔥💕", "😈💦", "🥰✨🌸", "😏🍑", "💋👀", "🖤⛓️", "☀️😊"]
SLANG = ["minimal", "light", "moderate", "heavy"]


def build_personas(creators: list[dict]) -> list[dict]:
    rows = []
    pid = 1
    for i, c in enumerate(creators):
        cid = c["creator_id"]
        if cid in NO_PERSONA:
            continue
        analyzed = datetime(2025, 12, 1, 2, 0, 0) + timedelta(days=i % 12, minutes=13 * i)
        variants = [analyzed]
        if cid == TWO_PERSONAS:
            variants = [datetime(2025, 12, 14, 2, 30, 0), datetime(2025, 10, 2, 2, 30, 0)]
        for k, when in enumerate(variants):
            rows.append({
                "persona_id": pid,
                "creator_id": cid,
                "primary_tone": TONES[(i + 3 * k) % len(TONES)],
                "secondary_tone": TONES[(i * 3 + 1 + k) % len(TONES)],
                "emoji_frequency": EMOJI_FREQ[(i + k) % len(EMOJI_FREQ)],
                "favorite_emojis": EMOJIS[(i + k) % len(EMOJIS)],
                "slang_level": SLANG[(i * 7 + 2 * k) % len(SLANG)],
                "avg_sentiment": round(rng.uniform(0.35, 0.92), 3),
                "avg_caption_length": rng.randint(60, 240),
                "last_analyzed": when.strftime(TS),
            })
            pid += 1
    return rows


# --------------------------------------------------------------------------------------------------
# volume_performance_tracking
# --------------------------------------------------------------------------------------------------
# (creator_id, tracking_date, period, saturation, opportunity, revenue_per_send_trend); None = null
TRACKING = [
    # grace_bennett: the note's headline case (14d of 2025-12-15: 45 / 65 / 0), plus an older 14d row and
    # 7d / 30d rows of the same date that must be ignored by the period filter.
    ("grace_bennett", "2025-12-15", "14d", 45.0, 65.0, 0.0),
    ("grace_bennett", "2025-12-15", "7d", 80.0, 30.0, -25.0),
    ("grace_bennett", "2025-12-15", "30d", 38.0, 75.0, 18.0),
    ("grace_bennett", "2025-12-01", "14d", 72.0, 40.0, -20.0),
    ("grace_bennett", "2025-11-17", "14d", 55.0, 58.0, 4.2),
    ("mia_castillo", "2025-12-14", "14d", 82.5, 40.0, 22.4),       # sat > 70, trend > 15
    ("mia_castillo", "2025-11-30", "14d", 55.0, 60.0, 5.0),        # older 14d row
    ("ava_sinclair", "2025-12-10", "14d", 70.0, 55.0, -15.0),      # sat exactly 70, trend exactly -15
    ("chloe_harper", "2025-12-12", "14d", 48.0, 71.0, -15.5),      # sat < 50 & opp > 70, trend < -15
    ("chloe_harper", "2025-12-12", "30d", 65.0, 50.0, 2.0),
    ("chloe_harper", "2025-12-12", "7d", 20.0, 90.0, 30.0),
    ("chloe_harper", "2025-12-16", "7d", 90.0, 10.0, -40.0),       # newer, but 7d
    ("emma_whitfield", "2025-12-08", "14d", 62.0, 72.0, -18.5),    # 50-70 (opp > 70 but sat >= 50)
    ("zoe_kessler", "2025-12-13", "14d", 40.0, 70.0, 16.0),        # opp exactly 70, sat 30-50
    ("stella_park", "2025-12-11", "14d", 50.0, 75.0, 15.0),        # sat exactly 50, trend exactly 15
    ("stella_park", "2025-12-11", "7d", 90.0, 20.0, -30.0),
    ("leah_donovan", "2025-12-09", "14d", 35.0, 78.0, 8.0),        # sat < 50 & opp > 70
    ("leah_donovan", "2025-12-18", "7d", 85.0, 20.0, -22.0),       # future, but 7d: no flag
    ("maya_lindqvist", "2025-12-16", "14d", 28.0, 70.0, -4.0),     # age 0; sat < 30 & opp exactly 70
    ("aria_fontaine", "2025-12-03", "14d", 75.0, 80.0, 40.0),      # age 13; sat > 70, trend > 15
    ("aria_fontaine", "2025-12-16", "7d", 30.0, 65.0, 0.0),        # newer, but 7d
    ("luna_ashford", "2025-12-07", "14d", 25.0, 65.0, None),       # sat < 30 & opp 60-70, null trend
    ("daisy_fletcher", "2025-12-05", "14d", 20.0, 60.0, 3.0),      # opp exactly 60
    ("piper_lawson", "2025-12-02", "14d", 30.0, 68.0, -16.0),      # age exactly 14 (still valid)
    ("piper_lawson", "2025-11-18", "14d", 60.0, 50.0, 0.0),        # older 14d row
    # inactive creators
    ("sophia_reyes", "2025-12-12", "14d", 58.0, 52.0, 4.0),
    ("madison_cole", "2025-12-09", "14d", 33.0, 61.0, 0.0),
    # malformed
    ("malformed_saturation_130", "2025-12-14", "14d", 130.0, 40.0, 0.0),
    ("malformed_saturation_negative", "2025-12-11", "14d", -5.0, 65.0, 0.0),
    ("malformed_opportunity_negative", "2025-12-13", "14d", 40.0, -5.0, -2.0),
    ("malformed_opportunity_130", "2025-12-12", "14d", 20.0, 130.0, 5.0),
    ("malformed_null_opportunity", "2025-12-10", "14d", 35.0, None, -20.0),
    ("malformed_future_tracking", "2025-12-20", "14d", 60.0, 70.0, 10.0),
    ("malformed_stale_tracking", "2025-11-20", "14d", 80.0, 30.0, -25.0),   # 26 days old
    ("malformed_null_saturation", "2025-12-14", "14d", None, 80.0, 25.0),   # newest, but no saturation
    ("malformed_null_saturation", "2025-12-06", "14d", 55.0, 62.0, -3.0),   # the usable one
]


def build_tracking() -> list[dict]:
    rows = []
    for tid, (cid, day, period, sat, opp, trend) in enumerate(TRACKING, start=1):
        days = int(period[:-1])
        total = rng.randint(3 * days, 9 * days)
        rps = round(rng.uniform(0.25, 1.8), 4)
        sent_total = total * rng.randint(150, 900)
        rows.append({
            "tracking_id": tid,
            "creator_id": cid,
            "tracking_date": day,
            "tracking_period": period,
            "avg_daily_volume": round(total / days, 4),
            "total_messages_sent": total,
            "avg_revenue_per_send": rps,
            "avg_view_rate": round(rng.uniform(0.2, 0.6), 4),
            "avg_purchase_rate": round(rng.uniform(0.01, 0.09), 4),
            "total_earnings": round(rps * sent_total, 2),
            "revenue_per_send_trend": trend,
            "view_rate_trend": round(rng.uniform(-25, 25), 2),
            "purchase_rate_trend": round(rng.uniform(-25, 25), 2),
            "earnings_volatility": round(rng.uniform(0.1, 0.9), 4),
            "saturation_score": sat,
            "opportunity_score": opp,
            "recommended_volume_delta": rng.choice([-2, -1, 0, 0, 1, 2]),
            "calculated_at": f"{day} 03:{(tid * 7) % 60:02d}:00",
        })
    return rows


# --------------------------------------------------------------------------------------------------
# mass_messages
# --------------------------------------------------------------------------------------------------
CUR_START = AS_OF - timedelta(days=14)    # 2025-12-02 12:00:00 (exclusive)
PREV_START = AS_OF - timedelta(days=28)   # 2025-11-18 12:00:00 (exclusive)


def spread(n: int, start: datetime, salt: int) -> list[str]:
    """n timestamps well inside the 14-day window that starts (exclusively) at `start`."""
    out = []
    for k in range(n):
        day = start + timedelta(days=1 + (k * 12) // max(n - 1, 1))
        t = day.replace(hour=18 + (k + salt) % 5, minute=(7 * k + 13 * salt) % 60, second=0)
        out.append(t.strftime(TS))
    return out


def exact(sent: int, rate: str) -> int:
    v = Fraction(rate) * sent
    assert v.denominator == 1, (sent, rate)
    return int(v)


def ppv(sent: int, view_rate: str, purchase_rate: str, price: float) -> dict:
    purchased = exact(sent, purchase_rate)
    return {"message_type": "ppv", "price": price, "sent_count": sent,
            "viewed_count": exact(sent, view_rate), "purchased_count": purchased,
            "earnings": round(purchased * price, 2)}


def window(sents: list[int], view_rate: str, purchase_rate: str, price: float) -> list[dict]:
    return [ppv(s, view_rate, purchase_rate, price) for s in sents]


def free_msg(sent: int, viewed: int, tips: float = 0.0) -> dict:
    return {"message_type": "free", "price": None, "sent_count": sent, "viewed_count": viewed,
            "purchased_count": 0, "earnings": tips}


def zero_sent(price: float) -> dict:
    return {"message_type": "ppv", "price": price, "sent_count": 0, "viewed_count": 0,
            "purchased_count": 0, "earnings": 0.0}


# Hand-crafted on-demand scenarios. cur / prev: PPV messages spread inside the current window
# (2025-12-02 12:00:00, 2025-12-16 12:00:00] and previous window (2025-11-18 12:00:00, 2025-12-02 12:00:00].
# extra: (timestamp, message) pairs placed exactly (boundaries, ignored messages).
SCENARIOS: dict[str, dict] = {
    # rps 0.80 -> 0.60 (-25 %): +20 saturation only. Ignored: a free message, a sent_count 0 PPV and a PPV
    # sent after as_of, each of which would change the scores if it were counted.
    "nora_delgado": {
        "prev": window([400, 450, 350, 400, 425, 375], "0.40", "0.04", 20.0),
        "cur": window([400, 450, 350, 400, 425, 375], "0.40", "0.04", 15.0),
        "extra": [("2025-12-09 15:00:00", free_msg(900, 610, 35.0)),
                  ("2025-12-11 19:40:00", zero_sent(15.0)),
                  ("2025-12-16 18:30:00", ppv(400, "0.25", "0.10", 30.0))],
    },
    # view rate 0.50 -> 0.40 (-20 %): +15 saturation only
    "ivy_mercer": {
        "prev": window([500, 400, 450, 500, 550, 400], "0.50", "0.04", 18.0),
        "cur": window([450, 500, 400, 475, 525, 500], "0.40", "0.04", 18.0),
    },
    # purchase rate 0.05 -> 0.04 (-20 %), rps 1.00 -> 0.88 (-12 %, not enough): +10 saturation only
    "elena_ruiz": {
        "prev": window([200, 240, 220, 200, 260], "0.35", "0.05", 20.0),
        "cur": window([200, 300, 200, 200, 300, 200], "0.35", "0.04", 22.0),
    },
    # rates steady, one very large send: volatility > 0.6: +15 saturation only
    "paige_holloway": {
        "prev": window([300, 300, 400, 300, 300], "0.45", "0.04", 25.0),
        "cur": window([200, 200, 300, 200, 2000, 200], "0.45", "0.04", 25.0),
    },
    # everything falls and volatility is high: 50+20+15+10+15 = 110, clamped (the note's 11,184-fan case).
    # Ignored: free message, sent_count 0 PPV, a PPV after as_of.
    "hannah_brooks": {
        "prev": window([500, 450, 550, 500, 500, 600], "0.50", "0.06", 20.0),
        "cur": window([300, 300, 2500, 400, 300, 3000], "0.35", "0.04", 20.0),
        "extra": [("2025-12-05 14:00:00", free_msg(5200, 4100, 120.0)),
                  ("2025-12-13 20:05:00", zero_sent(20.0)),
                  ("2025-12-17 09:00:00", ppv(600, "0.60", "0.10", 20.0))],
    },
    # rps 0.75 -> 1.26 (+68 %), view 0.40 -> 0.46 (+15 %), purchase rate 0.07 > 0.05: all opportunity points
    "jade_whitaker": {
        "prev": window([300, 320, 280, 300, 340], "0.40", "0.05", 15.0),
        "cur": window([300, 400, 300, 300, 400, 300], "0.46", "0.07", 18.0),
        "extra": [("2025-12-07 12:30:00", free_msg(2500, 1400))],
    },
    # nothing fires. Average of per-message rps is 0.60 in both windows, but the ratio of sums moves
    # 0.50 -> 0.60 (+20 %): a ratio-of-sums implementation would wrongly add opportunity points.
    # Current volatility is exactly 0.5.
    "sienna_ward": {
        "prev": window([600, 600, 600], "0.40", "0.03", 10.0) + window([300, 300, 300], "0.40", "0.03", 30.0),
        "cur": window([400, 400, 400], "0.40", "0.03", 10.0) + window([400, 400, 400], "0.40", "0.03", 30.0),
    },
    # empty previous window (reads as equal): no change points; purchase rate 0.08 > 0.05.
    # Older messages only; one sits exactly at 2025-11-18 12:00:00 (outside the previous window).
    "bella_quinn": {
        "prev": [],
        "cur": window([250, 300, 250, 350, 300, 250], "0.50", "0.08", 12.0),
        "extra": [("2025-11-18 12:00:00", ppv(200, "0.90", "0.20", 40.0)),
                  ("2025-11-05 20:15:00", ppv(300, "0.45", "0.05", 12.0)),
                  ("2025-10-28 19:45:00", ppv(260, "0.50", "0.05", 12.0))],
    },
    # zero earnings in both windows: rps 0 vs 0 (no points), average earnings 0 (volatility 0)
    "nina_petrova": {
        "prev": window([120, 110, 130, 120, 100], "0.30", "0", 15.0),
        "cur": window([100, 120, 110, 130, 120, 100], "0.30", "0", 15.0),
    },
    # exactly 4 usable PPV in the current window -> defaults. Each of these would make a 5th if counted:
    # a free message, a sent_count 0 PPV, a PPV at exactly 2025-12-02 12:00:00 (previous window) and a PPV
    # one second after as_of.
    "cora_jennings": {
        "prev": window([150, 200, 150], "0.40", "0.04", 10.0),
        "cur": window([150, 150, 200, 150], "0.40", "0.04", 10.0),
        "extra": [("2025-12-06 11:00:00", free_msg(220, 130)),
                  ("2025-12-10 21:00:00", zero_sent(10.0)),
                  ("2025-12-02 12:00:00", ppv(200, "0.40", "0.04", 10.0)),
                  ("2025-12-16 12:00:01", ppv(150, "0.40", "0.04", 10.0))],
    },
    # exact boundaries, none fires: rps 1.00 -> 0.85 (exactly -15 %), view 0.40 -> 0.42 (exactly +5 %),
    # current purchase rate exactly 0.05
    "june_harlow": {
        "prev": window([200, 240, 200, 260, 220], "0.40", "0.05", 20.0),
        "cur": window([200, 300, 200, 200, 300], "0.42", "0.05", 17.0),
    },
    # exact boundaries, none fires: rps 0.90 -> 1.035 (exactly +15 %), view 0.50 -> 0.45 (exactly -10 %),
    # purchase 0.05 -> 0.045 (exactly -10 %), volatility exactly 0.6 (earnings 828 / 207)
    "kira_blackwood": {
        "prev": window([400, 400, 400, 400, 400], "0.50", "0.05", 18.0),
        "cur": window([800, 200, 800, 200, 800, 200], "0.45", "0.045", 23.0),
    },
    # mixed: rps 1.5 -> 1.2 (-20 %), volatility > 0.6 (saturation +20 +15); view 0.40 -> 0.45 (+12.5 %),
    # purchase rate 0.06 > 0.05 (opportunity +15 +10)
    "remi_caldwell": {
        "prev": window([300, 350, 300, 250, 300], "0.40", "0.06", 25.0),
        "cur": window([100, 100, 100, 100, 1000, 1500], "0.45", "0.06", 20.0),
    },
    # window edges: exactly 5 usable PPV, the first at 2025-12-02 12:00:01 and the last at exactly as_of
    # (2025-12-16 12:00:00, included). A PPV at exactly 2025-12-02 12:00:00 belongs to the previous window.
    # rps 0.50 -> 0.70 (+40 %): +20 opportunity; purchase rate exactly 0.05.
    "vera_santos": {
        "prev": window([200, 200, 220], "0.30", "0.05", 10.0),
        "cur": [],
        "extra": [("2025-12-02 12:00:00", ppv(200, "0.30", "0.05", 10.0)),
                  ("2025-12-02 12:00:01", ppv(200, "0.30", "0.05", 14.0)),
                  ("2025-12-06 21:00:00", ppv(220, "0.30", "0.05", 14.0)),
                  ("2025-12-09 20:30:00", ppv(200, "0.30", "0.05", 14.0)),
                  ("2025-12-12 22:10:00", ppv(240, "0.30", "0.05", 14.0)),
                  ("2025-12-16 12:00:00", ppv(200, "0.30", "0.05", 14.0))],
    },
    # stale tracking only (2025-11-20): scored on demand. Volatility > 0.6, purchase rate 0.06.
    "malformed_stale_tracking": {
        "prev": window([200, 250, 200, 200, 250], "0.40", "0.06", 15.0),
        "cur": window([100, 100, 1200, 100, 150, 100], "0.40", "0.06", 15.0),
    },
    # inactive creator with ordinary on-demand-sized data
    "olivia_grant": {
        "prev": window([500, 600, 540, 500, 600], "0.40", "0.05", 10.0),
        "cur": window([500, 560, 600, 500, 440, 500], "0.40", "0.05", 11.0),
    },
    # grace_bennett has a valid tracking row, so these (falling) messages must NOT be used
    "grace_bennett": {
        "prev": window([4000, 4200, 3800, 4000, 4400, 4100], "0.50", "0.06", 15.0),
        "cur": window([3000, 3600, 3200, 3400, 3000, 3800, 3600], "0.30", "0.03", 12.0),
        "extra": [("2025-12-16 20:00:00", ppv(3500, "0.30", "0.03", 12.0))],
    },
}

# creators that get only random background history (before the previous window for on-demand ones)
RANDOM_RECENT = ["mia_castillo", "ava_sinclair", "chloe_harper", "emma_whitfield", "zoe_kessler",
                 "stella_park", "leah_donovan", "maya_lindqvist", "aria_fontaine", "luna_ashford",
                 "daisy_fletcher", "piper_lawson", "sophia_reyes", "madison_cole",
                 "malformed_saturation_130", "malformed_null_opportunity"]
NO_MESSAGES = {"lily_monroe", "scarlett_vance", "ruby_carlisle", "tessa_moreau", "willow_hayes",
               "skye_navarro", "rose_kim", "faith_oconnor", "autumn_reed", "eden_marsh",
               "malformed_null_fans", "malformed_negative_fans", "malformed_vip_page_type",
               "malformed_null_page_type", "malformed_future_tracking", "malformed_saturation_negative",
               "malformed_opportunity_negative", "malformed_opportunity_130", "malformed_null_saturation"}

HISTORY_START = datetime(2025, 9, 20, 0, 0, 0)
HISTORY_END = datetime(2025, 11, 17, 23, 0, 0)  # strictly before the previous window
RECENT_END = datetime(2025, 12, 16, 11, 0, 0)


def random_message(fans: int, when: datetime) -> dict:
    reach = max(fans, 40)
    sent = max(20, int(reach * rng.uniform(0.35, 0.9)))
    if rng.random() < 0.2:
        return free_msg(sent, int(sent * rng.uniform(0.3, 0.7)), round(rng.choice([0, 0, 5, 12.5, 20]), 2))
    purchased = int(sent * rng.uniform(0.01, 0.08))
    price = rng.choice([6.0, 8.0, 10.0, 12.0, 15.0, 18.0, 20.0, 25.0, 30.0])
    return {"message_type": "ppv", "price": price, "sent_count": sent,
            "viewed_count": int(sent * rng.uniform(0.2, 0.6)), "purchased_count": purchased,
            "earnings": round(purchased * price, 2)}


def random_time(start: datetime, end: datetime) -> datetime:
    span = int((end - start).total_seconds() // 60)
    t = start + timedelta(minutes=rng.randrange(span))
    return t.replace(second=0)


def build_messages(creators: list[dict]) -> list[dict]:
    by_id = {c["creator_id"]: c for c in creators}
    pending: list[tuple[str, str, dict]] = []  # (sending_time, creator_id, message)

    for salt, (cid, sc) in enumerate(SCENARIOS.items()):
        for t, m in zip(spread(len(sc["prev"]), PREV_START, salt), sc["prev"], strict=True):
            pending.append((t, cid, m))
        for t, m in zip(spread(len(sc["cur"]), CUR_START, salt), sc["cur"], strict=True):
            pending.append((t, cid, m))
        for t, m in sc.get("extra", []):
            pending.append((t, cid, m))

    for c in creators:
        cid = c["creator_id"]
        if cid in NO_MESSAGES:
            continue
        fans = max(c["current_active_fans"] or 0, 0)
        recent = cid in RANDOM_RECENT
        end = RECENT_END if recent else HISTORY_END
        n = rng.randint(22, 40) if recent else rng.randint(8, 18)
        for _ in range(n):
            pending.append((random_time(HISTORY_START, end).strftime(TS), cid, random_message(fans, end)))
        if recent and rng.random() < 0.5:  # an occasional message after as_of
            when = AS_OF + timedelta(hours=rng.randint(2, 30), minutes=rng.randint(0, 59))
            pending.append((when.strftime(TS), cid, random_message(fans, when)))

    pending.sort(key=lambda p: (p[0], p[1]))
    rows = []
    for mid, (t, cid, m) in enumerate(pending, start=1001):
        rows.append({"message_id": mid, "creator_id": cid, "page_name": by_id[cid]["page_name"],
                     "sending_time": t, **m})
    return rows


# --------------------------------------------------------------------------------------------------
# top_content_types
# --------------------------------------------------------------------------------------------------
CONTENT = ["solo", "lingerie", "shower", "b/g", "feet", "JOI", "cosplay", "custom_video", "tease_pics"]
TOP_CONTENT = {  # creator -> analysis dates (the newest must win)
    "grace_bennett": ["2025-12-01", "2025-12-15"],
    "mia_castillo": ["2025-11-15", "2025-12-14"],
    "chloe_harper": ["2025-12-01", "2025-12-12"],
    "sienna_ward": ["2025-11-20", "2025-12-10"],
    "june_harlow": ["2025-11-25"],                  # one analysis only
    "sophia_reyes": ["2025-11-30", "2025-12-12"],  # inactive
}


def build_top_content() -> list[dict]:
    rows = []
    tiers = {1: "top", 2: "strong", 3: "average"}
    for i, (cid, dates) in enumerate(TOP_CONTENT.items()):
        for d_i, day in enumerate(dates):
            picks = [CONTENT[(i * 2 + d_i * 3 + k * 4) % len(CONTENT)] for k in range(3)]
            entries = []
            for rank, ct in enumerate(picks, start=1):
                sends = rng.randint(6, 30)
                avg = round(rng.uniform(40, 400) / rank, 2)
                entries.append({"creator_id": cid, "analysis_date": day, "rank": rank, "content_type": ct,
                                "send_count": sends, "total_earnings": round(avg * sends, 2),
                                "avg_earnings": avg, "avg_purchase_rate": round(rng.uniform(0.01, 0.09), 4),
                                "performance_tier": tiers[rank]})
            rows.extend([entries[2], entries[0], entries[1]])  # not stored in rank order
    return rows


# --------------------------------------------------------------------------------------------------
# volume_assignments (legacy, drifted)
# --------------------------------------------------------------------------------------------------
# active legacy rows: creator -> (volume_level, ppv, bump, assigned_at, assigned_by, reason, notes)
ACTIVE_ASSIGNMENTS = {
    "grace_bennett": ("Low", 3, 3, "2024-11-15", "admin", "initial_setup", None),
    "mia_castillo": ("High", 4, 3, "2024-08-02", "admin", "initial_setup", "grew past High"),
    "ava_sinclair": ("High", 4, 3, "2025-03-14", "kmerriman", "manual_review", None),
    "chloe_harper": ("Ultra", 6, 4, "2025-06-30", "kmerriman", "fan_growth", None),
    "lily_monroe": ("Mid", 3, 2, "2024-09-21", "admin", "initial_setup", None),
    "scarlett_vance": ("Ultra", 5, 4, "2025-01-10", "admin", "initial_setup", "free page"),
    "emma_whitfield": ("Mid", 3, 2, "2024-12-01", "admin", "initial_setup", None),
    "zoe_kessler": ("High", 4, 3, "2025-04-22", "kmerriman", "manual_review", None),
    "hannah_brooks": ("Mid", 4, 2, "2024-10-05", "admin", "initial_setup", None),
    "nora_delgado": ("Ultra", 5, 4, "2025-02-18", "kmerriman", "promo_push", "holiday push"),
    "ivy_mercer": ("High", 4, 3, "2025-05-09", "kmerriman", "fan_growth", None),
    "ruby_carlisle": ("Low", 2, 2, "2024-07-19", "admin", "initial_setup", None),
    "stella_park": ("Mid", 3, 2, "2025-01-27", "admin", "initial_setup", None),
    "leah_donovan": ("Low", 2, 2, "2024-06-11", "admin", "initial_setup", "never reviewed"),
    "maya_lindqvist": ("Mid", 3, 2, "2025-02-02", "admin", "initial_setup", None),
    "aria_fontaine": ("High", 4, 3, "2025-07-15", "kmerriman", "promo_push", None),
    "elena_ruiz": ("Low", 2, 2, "2024-11-15", "admin", "initial_setup", None),
    "paige_holloway": ("Mid", 3, 2, "2025-03-03", "admin", "initial_setup", None),
    "sienna_ward": ("Mid", 4, 2, "2025-08-08", "kmerriman", "manual_review", None),
    "bella_quinn": ("High", 4, 3, "2025-05-30", "kmerriman", "promo_push", None),
    "willow_hayes": ("Low", 2, 2, "2024-05-02", "admin", "initial_setup", None),
    "luna_ashford": ("Low", 3, 2, "2025-04-04", "admin", "initial_setup", None),
    "daisy_fletcher": ("Mid", 3, 2, "2025-01-19", "kmerriman", "manual_review", None),
    "piper_lawson": ("Low", 2, 2, "2025-06-06", "admin", "initial_setup", None),
    "nina_petrova": ("Low", 2, 2, "2025-09-12", "admin", "initial_setup", None),
    "vera_santos": ("Mid", 3, 2, "2025-02-26", "admin", "initial_setup", None),
    "june_harlow": ("Low", 3, 2, "2025-03-21", "admin", "initial_setup", None),
    "kira_blackwood": ("Mid", 3, 2, "2024-12-12", "admin", "initial_setup", None),
    "remi_caldwell": ("Low", 2, 2, "2025-10-01", "admin", "initial_setup", None),
    "skye_navarro": ("Low", 2, 2, "2025-11-02", "admin", "initial_setup", "new page"),
    "autumn_reed": ("Mid", 3, 2, "2024-10-30", "admin", "initial_setup", None),
    "sophia_reyes": ("Ultra", 6, 4, "2025-01-05", "admin", "fan_growth", "page paused"),
    "malformed_vip_page_type": ("High", 4, 3, "2025-04-01", "admin", "initial_setup", None),
    "natalie_cruz": ("High", 4, 3, "2024-09-09", "admin", "initial_setup", "creator offboarded"),  # no creator
}
HISTORIC_ASSIGNMENTS = [  # is_active 0
    ("grace_bennett", "Mid", 3, 2, "2024-03-02", "admin", "initial_setup", "superseded"),
    ("chloe_harper", "High", 4, 3, "2024-12-20", "kmerriman", "fan_growth", "superseded"),
    ("nora_delgado", "High", 4, 3, "2024-10-10", "admin", "initial_setup", "superseded"),
    ("madison_cole", "Low", 2, 2, "2024-08-08", "admin", "initial_setup", "creator inactive"),
]


def build_assignments() -> list[dict]:
    rows = []
    entries = [(cid, *vals, 0) for cid, *vals in HISTORIC_ASSIGNMENTS]
    entries += [(cid, *vals, 1) for cid, vals in ACTIVE_ASSIGNMENTS.items()]
    entries.sort(key=lambda e: (e[4], e[0]))  # by assigned_at: ids grow with time
    for aid, (cid, level, p, b, at, by, reason, notes, active) in enumerate(entries, start=1):
        rows.append({"assignment_id": aid, "creator_id": cid, "volume_level": level, "ppv_per_day": p,
                     "bump_per_day": b, "assigned_at": at, "assigned_by": by, "assigned_reason": reason,
                     "is_active": active, "notes": notes})
    return rows


# --------------------------------------------------------------------------------------------------
# CSV output
# --------------------------------------------------------------------------------------------------
def cell(v) -> str:
    """None -> empty (null). Strings with edge whitespace, commas or quotes are quoted."""
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    if s != s.strip() or any(ch in s for ch in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    lines = [",".join(columns)]
    lines += [",".join(cell(r[c]) for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")


def main() -> None:
    default_out = Path(__file__).resolve().parent.parent / "seeds" / "demo"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=default_out, help="output directory (default: seeds/demo)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    # the order of the builders is part of the fixed random stream: do not reorder
    creators = build_creators()
    tables = {
        "creators": creators,
        "creator_personas": build_personas(creators),
        "volume_performance_tracking": build_tracking(),
        "mass_messages": build_messages(creators),
        "top_content_types": build_top_content(),
        "volume_assignments": build_assignments(),
    }
    for name, rows in tables.items():
        write_csv(args.out / f"{name}.csv", raw_schema.columns(name), rows)
        print(f"{name}: {len(rows)} rows -> {args.out / (name + '.csv')}")


if __name__ == "__main__":
    main()

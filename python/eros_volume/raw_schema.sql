-- The original EROS operational SQLite schema (the subset eros-volume reads).
-- Used to write demo / generated raw databases and by the tests; never by the rules.
CREATE TABLE IF NOT EXISTS creators (
    creator_id TEXT PRIMARY KEY,
    page_name TEXT UNIQUE NOT NULL,
    display_name TEXT,
    page_type TEXT,
    subscription_price REAL,
    is_active INTEGER DEFAULT 1,
    timezone TEXT,
    creator_group TEXT,
    current_active_fans INTEGER,
    current_total_earnings REAL,
    performance_tier INTEGER,
    persona_type TEXT,
    created_at TEXT,
    updated_at TEXT
);

CREATE TABLE IF NOT EXISTS creator_personas (
    persona_id INTEGER PRIMARY KEY AUTOINCREMENT,
    creator_id TEXT NOT NULL,
    primary_tone TEXT,
    secondary_tone TEXT,
    emoji_frequency TEXT,
    favorite_emojis TEXT,
    slang_level TEXT,
    avg_sentiment REAL,
    avg_caption_length INTEGER,
    last_analyzed TEXT
);

CREATE TABLE IF NOT EXISTS mass_messages (
    message_id INTEGER PRIMARY KEY,
    creator_id TEXT,
    page_name TEXT,
    sending_time TEXT,
    message_type TEXT,
    price REAL,
    sent_count INTEGER,
    viewed_count INTEGER,
    purchased_count INTEGER,
    earnings REAL,
    view_rate REAL GENERATED ALWAYS AS (
        CASE WHEN sent_count > 0 THEN CAST(viewed_count AS REAL) / sent_count END
    ) VIRTUAL,
    purchase_rate REAL GENERATED ALWAYS AS (
        CASE WHEN sent_count > 0 THEN CAST(purchased_count AS REAL) / sent_count END
    ) VIRTUAL,
    revenue_per_send REAL GENERATED ALWAYS AS (
        CASE WHEN sent_count > 0 THEN earnings / sent_count END
    ) VIRTUAL
);
CREATE INDEX IF NOT EXISTS idx_mass_messages_sending_time ON mass_messages (sending_time);
CREATE INDEX IF NOT EXISTS idx_mass_messages_creator_time ON mass_messages (creator_id, sending_time);

CREATE TABLE IF NOT EXISTS volume_performance_tracking (
    tracking_id INTEGER PRIMARY KEY AUTOINCREMENT,
    creator_id TEXT NOT NULL,
    tracking_date TEXT NOT NULL,
    tracking_period TEXT NOT NULL DEFAULT '14d',
    avg_daily_volume REAL,
    total_messages_sent INTEGER,
    avg_revenue_per_send REAL,
    avg_view_rate REAL,
    avg_purchase_rate REAL,
    total_earnings REAL,
    revenue_per_send_trend REAL DEFAULT 0,
    view_rate_trend REAL DEFAULT 0,
    purchase_rate_trend REAL DEFAULT 0,
    earnings_volatility REAL,
    saturation_score REAL,
    opportunity_score REAL,
    recommended_volume_delta INTEGER,
    calculated_at TEXT,
    UNIQUE (creator_id, tracking_date, tracking_period)
);

CREATE TABLE IF NOT EXISTS top_content_types (
    creator_id TEXT NOT NULL,
    analysis_date TEXT NOT NULL,
    rank INTEGER,
    content_type TEXT,
    send_count INTEGER,
    total_earnings REAL,
    avg_earnings REAL,
    avg_purchase_rate REAL,
    performance_tier TEXT
);

CREATE TABLE IF NOT EXISTS volume_assignments (
    assignment_id INTEGER PRIMARY KEY AUTOINCREMENT,
    creator_id TEXT NOT NULL,
    volume_level TEXT,
    ppv_per_day INTEGER,
    bump_per_day INTEGER,
    assigned_at TEXT,
    assigned_by TEXT,
    assigned_reason TEXT,
    is_active INTEGER DEFAULT 1,
    notes TEXT
);

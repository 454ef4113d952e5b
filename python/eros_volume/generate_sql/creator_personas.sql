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
    ts_text($as_of - to_seconds(
        floor(86400 * (1 + 59 * u2('analyzed', idx, version)
            + 90 * version))::bigint)) as last_analyzed
from rows
order by persona_id

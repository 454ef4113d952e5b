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
        (select level_rank from g_tiers where volume_level = fan_level)
        + case when u1('perf', idx) < 0.15 then -1 when u1('perf', idx) > 0.8 then 1
            else 0 end,
        1, 5
    )::bigint as performance_tier,
    pick(['girl_next_door', 'playful', 'glamorous', 'sweet', 'bold', 'mysterious',
          'sporty', 'artsy'], u1('persona_type', idx)) as persona_type,
    ts_text($as_of - to_seconds(
        floor(86400 * (60 + 1400 * u1('created', idx)))::bigint)) as created_at,
    ts_text($as_of - to_seconds(
        floor(86400 * 30 * u1('updated', idx))::bigint)) as updated_at
from g_base
order by idx

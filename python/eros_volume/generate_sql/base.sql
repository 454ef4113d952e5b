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
    from range(1, $creators + 1) as t(i)
),
named as (
    select
        *,
        pick([
            'grace', 'ava', 'mia', 'luna', 'ella', 'zoe', 'lily', 'chloe', 'nora', 'emma', 'ruby',
            'ivy', 'hazel', 'stella', 'aria', 'maya', 'sofia', 'isla', 'leah', 'nina', 'jade',
            'sadie', 'piper', 'willow', 'daisy', 'scarlett', 'violet', 'remi', 'skye', 'jasmine',
            'bella', 'kira', 'tessa', 'eden', 'freya', 'lola', 'cleo', 'sienna', 'nova', 'megan'
        ], r_first) as first_name,
        pick([
            'bennett', 'hayes', 'rivers', 'monroe', 'carter', 'brooks', 'sloane', 'quinn', 'harper',
            'reed', 'lane', 'fox', 'vega', 'knight', 'wilde', 'stone', 'rose', 'blake', 'frost',
            'hart', 'moon', 'steele', 'parker', 'ellis', 'marlowe', 'cruz', 'west', 'summers',
            'grey', 'lake', 'vale', 'winter', 'banks', 'cole', 'day', 'drake', 'noble', 'shaw',
            'york'
        ], r_last) as last_name,
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
        when r_dirty < $dirty / 2 then null
        when r_dirty < $dirty then -1 - floor(u1('neg', idx) * 50)::bigint
        else fans
    end as current_active_fans,
    r_page_type >= 0.8 as is_free,
    case
        when r_dirty >= $dirty and r_dirty < $dirty * 1.5 then ' Paid'
        when r_dirty >= $dirty * 1.5 and r_dirty < $dirty * 2 then 'FREE'
        when r_page_type >= 0.8 then 'free'
        else 'paid'
    end as page_type,
    r_active < 0.95 as is_active,
    -- the level of the fan count, by the tier lower bounds of seeds/volume_tiers.csv
    (select arg_max(volume_level, lower_bound) from g_tiers where lower_bound <= fans)
        as fan_level,
    -- per creator: mean messages a day, the base view and purchase rates, the drift of
    -- both over the period (-0.6 .. 0.6 from the first day to the last)
    -- (the rate spread is a golden-ratio sequence, so the total is close to its mean)
    $rate * (0.25 + 1.5 * ((idx * 0.6180339887498949 + u1('rate', 0)) % 1))
        as daily_rate,
    0.25 + 0.3 * u1('view', idx) as view_base,
    0.015 + 0.07 * u1('purchase', idx) as purchase_base,
    1.2 * (u1('drift', idx) - 0.5) as drift
from named

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
        select unnest([
            'photo_set', 'video_clip', 'bundle', 'behind_the_scenes', 'livestream_replay',
            'custom_request', 'voice_note', 'lingerie', 'outdoor', 'cosplay'
        ]) as content_type
    ) as t
)
select
    creator_id,
    strftime($as_of_date - age, '%Y-%m-%d') as analysis_date,
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

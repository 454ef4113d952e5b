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
    where u1('trk_future', c.idx) < $dirty * 5
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
        $as_of_date - age::integer as tracking_day,
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
        when rd < $dirty * 5 then 105.0
        when rd < $dirty * 10 then -5.0
        else round(100 * (r1 + r2) / 2, 2)
    end as saturation_score,
    case
        when rd >= $dirty * 10 and rd < $dirty * 15 then null
        else round(100 * (r3 + r4) / 2, 2)
    end as opportunity_score,
    (floor(5 * r6) - 2)::bigint as recommended_volume_delta,
    ts_text(tracking_day + interval 2 hour + to_seconds(floor(7200 * r5)::bigint))
        as calculated_at
from metrics
order by tracking_id

-- mass_messages of the creators with idx in [lo, hi), in message_id order.
with slots as (
    select
        g.idx,
        g.d,
        g.first_id + j.j + 1 as message_id
    from g_plan as g, range(g.n) as j(j)
    where g.idx >= $lo and g.idx < $hi
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
        1 + b.drift * ((($days_m1 - s.d) / $days_m1) - 0.5) as drift_factor,
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
            when r_sent < $dirty then 0
            else floor(
                (case when current_active_fans is null then 300
                    else greatest(fans, 0) end) * (0.55 + 0.4 * r_sent)
            )::bigint
        end as sent,
        clamp(view_base * drift_factor * (0.85 + 0.3 * r_view), 0.2, 0.6) as view_rate,
        clamp(purchase_base * drift_factor * (0.7 + 0.6 * r_buy), 0.01, 0.1)
            as purchase_rate,
        (($as_of_clock - clock) % 86400 + 86400) % 86400 as back
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
    ts_text(make_timestamp($as_of_us - (d * 86400 + back) * 1000000)) as sending_time,
    case when is_ppv then 'ppv' else 'free' end as message_type,
    price_ as price,
    sent as sent_count,
    round(sent * view_rate)::bigint as viewed_count,
    purchased as purchased_count,
    round(purchased * price_, 2) as earnings
from priced
order by message_id

-- One row per creator and day d (0: the 24 hours ending at as_of): how many messages, and the
-- id before the first. floor(x + U) with U uniform in [0, 1) has expectation x exactly.
create or replace temp table g_plan as
with counts as (
    select
        b.idx,
        d.d,
        floor(
            b.daily_rate * (0.6 + 0.8 * u2('day', b.idx, d.d)) + u2('day_frac', b.idx, d.d)
        )::bigint as n
    from g_base as b
    cross join range(0, $days) as d(d)
)
select
    idx,
    d,
    n,
    (sum(n) over (order by idx, d rows unbounded preceding) - n)::bigint as first_id
from counts
where n > 0

-- Each tier has a row per page type, and its lowest min_fans is the tier's threshold var.
with

tiers as (
    select * from {{ ref('volume_tiers') }}
),

lowest as (
    select
        volume_level,
        page_type,
        min(min_fans) as lowest_min_fans
    from tiers
    group by volume_level, page_type
),

expected as (
    select
        levels.volume_level,
        page_types.page_type,
        {{ eros_volume.volume_level_min_fans('levels.volume_level') }} as tier_min_fans
    from (
        select 'Ultra' as volume_level
        union all select 'High' as volume_level
        union all select 'Mid' as volume_level
        union all select 'Low' as volume_level
    ) as levels
    cross join (
        select 'paid' as page_type
        union all select 'free' as page_type
    ) as page_types
)

select
    expected.volume_level,
    expected.page_type,
    expected.tier_min_fans,
    lowest.lowest_min_fans
from expected
left join lowest
    on
        expected.volume_level = lowest.volume_level
        and expected.page_type = lowest.page_type
where lowest.lowest_min_fans is null or lowest.lowest_min_fans != expected.tier_min_fans

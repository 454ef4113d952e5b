{#- Tier and base volumes per creator: the seed row of its tier, page type and sub-bracket. -#}
with

creators as (
    select * from {{ ref('stg_eros__creators') }}
),

tiers as (
    select * from {{ ref('volume_tiers') }}
),

leveled as (
    select
        creator_id,
        page_type,
        fan_count,
        {{ eros_volume.volume_level('fan_count') }} as volume_level
    from creators
),

candidates as (
    select
        leveled.creator_id,
        leveled.page_type,
        leveled.fan_count,
        leveled.volume_level,
        {{ eros_volume.volume_level_min_fans('leveled.volume_level') }} as tier_min_fans,
        tiers.min_fans as bracket_min_fans,
        tiers.revenue_items_per_day as base_revenue_items,
        tiers.engagement_items_per_day as base_engagement_items,
        tiers.retention_items_per_day as base_retention_items,
        tiers.bundle_per_week,
        tiers.game_per_week,
        tiers.followup_cap,
        row_number() over (
            partition by leveled.creator_id
            order by tiers.min_fans desc
        ) as bracket_rank
    from leveled
    left join tiers
        on
            leveled.volume_level = tiers.volume_level
            and leveled.page_type = tiers.page_type
            and leveled.fan_count >= tiers.min_fans
),

final as (
    select
        creator_id,
        page_type,
        fan_count,
        volume_level,
        tier_min_fans,
        bracket_min_fans,
        base_revenue_items,
        base_engagement_items,
        base_retention_items,
        bundle_per_week,
        game_per_week,
        followup_cap
    from candidates
    where bracket_rank = 1
)

select * from final

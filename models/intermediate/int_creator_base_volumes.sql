{#-
  Each creator (normalised, with its data-quality flags) with its tier and base volumes (SPEC 2),
  from seeds/volume_tiers.csv alone: a tier's lower bound is its lowest min_fans, and a creator
  takes the row of its tier and page type with the greatest min_fans not above its fan count.
-#}
with

creators as (
    select * from {{ ref('stg_eros__creators') }}
),

tiers as (
    select * from {{ ref('volume_tiers') }}
),

tier_bounds as (
    select
        volume_level,
        min(min_fans) as tier_min_fans
    from tiers
    group by volume_level
),

tier_ranges as (
    select
        volume_level,
        tier_min_fans,
        lead(tier_min_fans) over (order by tier_min_fans) as next_tier_min_fans,
        row_number() over (order by tier_min_fans) = 1 as is_lowest_tier
    from tier_bounds
),

leveled as (
    select
        creators.creator_id,
        creators.page_name,
        creators.page_type,
        creators.fan_count,
        creators.is_active,
        creators.fan_count_missing,
        creators.fan_count_negative,
        creators.page_type_unknown,
        creators.creator_id_unsupported,
        tier_ranges.volume_level,
        tier_ranges.tier_min_fans,
        tier_ranges.next_tier_min_fans,
        tier_ranges.is_lowest_tier
    from creators
    left join tier_ranges
        on
            creators.fan_count >= tier_ranges.tier_min_fans
            and (
                tier_ranges.next_tier_min_fans is null
                or creators.fan_count < tier_ranges.next_tier_min_fans
            )
),

candidates as (
    select
        leveled.creator_id,
        leveled.page_name,
        leveled.page_type,
        leveled.fan_count,
        leveled.is_active,
        leveled.fan_count_missing,
        leveled.fan_count_negative,
        leveled.page_type_unknown,
        leveled.creator_id_unsupported,
        leveled.volume_level,
        leveled.tier_min_fans,
        leveled.next_tier_min_fans,
        leveled.is_lowest_tier,
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
        page_name,
        page_type,
        fan_count,
        is_active,
        fan_count_missing,
        fan_count_negative,
        page_type_unknown,
        creator_id_unsupported,
        volume_level,
        tier_min_fans,
        next_tier_min_fans,
        is_lowest_tier,
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

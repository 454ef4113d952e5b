{#-
  Each creator (normalised, with its data-quality flags) with its tier and base volumes (SPEC 2),
  from seeds/volume_tiers.csv alone: a tier's lower bound is its lowest min_fans, and a creator
  takes the row of its tier and page type with the greatest min_fans not above its fan count.
  With the stability rule's tier buffer on (SPEC 9, var stability_tier_buffer_pct b, null by
  default), the level is the previous publication's moved across every boundary the fan count
  passes by b % (up: fans >= boundary * (1 + b/100); down: fans < boundary * (1 - b/100)), and a
  fan count below the published level's lowest seed row takes that lowest row. With the step
  limit on (stability_max_step), the previous publication's items and its age in days come along.
-#}
-- depends_on: {{ ref('int_volume_config__previous') }}
with

creators as (
    select * from {{ ref('stg_eros__creators') }}
),

tiers as (
    select * from {{ ref('volume_tiers') }}
),

tier_ranges as (
    {{ eros_volume.tier_ranges('tiers') }}
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
        tier_ranges.is_lowest_tier,
        tier_ranges.tier_rank
    from creators
    left join tier_ranges
        on
            creators.fan_count >= tier_ranges.tier_min_fans
            and (
                tier_ranges.next_tier_min_fans is null
                or creators.fan_count < tier_ranges.next_tier_min_fans
            )
),

fan_count_levels as (
    select
        *,
        volume_level as fan_count_level
    from leveled
),

{% if eros_volume.tier_buffer_on() or eros_volume.step_limit_on() -%}
previous as (
    select * from {{ ref('int_volume_config__previous') }}
),

{% endif -%}
{% if eros_volume.tier_buffer_on() -%}
reachable as (
    select
        fan_count_levels.creator_id,
        max(case
            when {{ eros_volume.fans_at_buffered_boundary(
                'fan_count_levels.fan_count', 'tier_ranges.tier_min_fans', 'up') }}
                then tier_ranges.tier_rank
        end) as up_rank,
        max(case
            when {{ eros_volume.fans_at_buffered_boundary(
                'fan_count_levels.fan_count', 'tier_ranges.tier_min_fans', 'down') }}
                then tier_ranges.tier_rank
        end) as down_rank
    from fan_count_levels
    cross join tier_ranges
    group by fan_count_levels.creator_id
),

published_ranks as (
    select
        fan_count_levels.creator_id,
        {{ eros_volume.buffered_tier_rank(
            'previous_ranges.tier_rank', 'reachable.up_rank', 'reachable.down_rank',
            'fan_count_levels.tier_rank') }} as published_rank
    from fan_count_levels
    inner join reachable
        on fan_count_levels.creator_id = reachable.creator_id
    left join previous
        on fan_count_levels.creator_id = previous.creator_id
    left join tier_ranges as previous_ranges
        on previous.previous_volume_level = previous_ranges.volume_level
),

buffered as (
    select
        fan_count_levels.creator_id,
        fan_count_levels.page_name,
        fan_count_levels.page_type,
        fan_count_levels.fan_count,
        fan_count_levels.is_active,
        fan_count_levels.fan_count_missing,
        fan_count_levels.fan_count_negative,
        fan_count_levels.page_type_unknown,
        fan_count_levels.creator_id_unsupported,
        tier_ranges.volume_level,
        tier_ranges.tier_min_fans,
        tier_ranges.next_tier_min_fans,
        tier_ranges.is_lowest_tier,
        tier_ranges.tier_rank,
        fan_count_levels.fan_count_level
    from fan_count_levels
    inner join published_ranks
        on fan_count_levels.creator_id = published_ranks.creator_id
    left join tier_ranges
        on published_ranks.published_rank = tier_ranges.tier_rank
),

{% endif -%}
candidates as (
    select
        published.creator_id,
        published.page_name,
        published.page_type,
        published.fan_count,
        published.is_active,
        published.fan_count_missing,
        published.fan_count_negative,
        published.page_type_unknown,
        published.creator_id_unsupported,
        published.volume_level,
        published.tier_min_fans,
        published.next_tier_min_fans,
        published.is_lowest_tier,
        published.fan_count_level,
        tiers.min_fans as bracket_min_fans,
        tiers.revenue_items_per_day as base_revenue_items,
        tiers.engagement_items_per_day as base_engagement_items,
        tiers.retention_items_per_day as base_retention_items,
        tiers.bundle_per_week,
        tiers.game_per_week,
        tiers.followup_cap,
        {#- The level's row with the greatest min_fans not above the fan count, else its lowest. #}
        row_number() over (
            partition by published.creator_id
            order by
                case when published.fan_count >= tiers.min_fans then 0 else 1 end,
                case when published.fan_count >= tiers.min_fans then tiers.min_fans end desc,
                tiers.min_fans
        ) as bracket_rank
    from {{ 'buffered' if eros_volume.tier_buffer_on() else 'fan_count_levels' }} as published
    left join tiers
        on
            published.volume_level = tiers.volume_level
            and published.page_type = tiers.page_type
),

limits as (
    select
        candidates.*,
        {{ eros_volume.previous_items('previous') }}
    from candidates
    {%- if eros_volume.step_limit_on() %}
    left join previous
        on candidates.creator_id = previous.creator_id
    {%- endif %}
    where candidates.bracket_rank = 1
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
        followup_cap,
        fan_count_level,
        volume_level != fan_count_level as stability_held_level,
        previous_revenue_items_per_day,
        previous_engagement_items_per_day,
        previous_retention_items_per_day,
        days_since_previous
    from limits
)

select * from final

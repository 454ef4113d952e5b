{{ config(
    post_hook=[
        "create unique index if not exists {{ this.identifier }}__creator_id on {{ this }} (creator_id)",
    ]
) }}
{#-
  One configuration per creator, active or not (SPEC 7); the arithmetic is in macros/rules.
  A table, indexed by creator_id, so a point lookup through the volume_config view is cheap.
-#}
with

base_volumes as (
    select * from {{ ref('int_creator_base_volumes') }}
),

scores as (
    select * from {{ ref('int_creator_scores') }}
),

joined as (
    select
        base_volumes.creator_id,
        base_volumes.page_name,
        base_volumes.page_type,
        base_volumes.fan_count,
        base_volumes.is_active,
        base_volumes.fan_count_missing,
        base_volumes.fan_count_negative,
        base_volumes.page_type_unknown,
        base_volumes.volume_level,
        base_volumes.tier_min_fans,
        base_volumes.next_tier_min_fans,
        base_volumes.is_lowest_tier,
        base_volumes.bracket_min_fans,
        base_volumes.base_revenue_items,
        base_volumes.base_engagement_items,
        base_volumes.base_retention_items,
        base_volumes.bundle_per_week,
        base_volumes.game_per_week,
        base_volumes.followup_cap,
        scores.saturation_score,
        scores.opportunity_score,
        scores.revenue_trend,
        scores.data_source,
        scores.tracking_date,
        scores.on_demand_messages,
        scores.saturation_clamped,
        scores.opportunity_clamped,
        scores.opportunity_missing,
        scores.tracking_in_future
    from base_volumes
    inner join scores
        on base_volumes.creator_id = scores.creator_id
),

multiplied as (
    select
        *,
        {{ eros_volume.saturation_band('saturation_score') }} as saturation_band,
        {{ eros_volume.opportunity_band('opportunity_score', 'saturation_score') }}
            as opportunity_band,
        {{ eros_volume.saturation_multiplier('saturation_score') }} as saturation_multiplier,
        {{ eros_volume.opportunity_multiplier('opportunity_score', 'saturation_score') }}
            as opportunity_multiplier,
        {{ eros_volume.volume_multiplier('saturation_score', 'opportunity_score') }}
            as volume_multiplier,
        {{ eros_volume.trend_adjustment('revenue_trend') }} as trend_adjustment
    from joined
),

scaled as (
    select
        *,
        {{ eros_volume.revenue_items_uncapped(
            'base_revenue_items', 'volume_multiplier', 'revenue_trend') }} as revenue_uncapped,
        {{ eros_volume.scaled_items('base_engagement_items', 'volume_multiplier') }}
            as engagement_uncapped,
        {{ eros_volume.scaled_items('base_retention_items', 'volume_multiplier') }}
            as retention_uncapped
    from multiplied
),

capped as (
    select
        *,
        {{ eros_volume.revenue_items_per_day(
            'base_revenue_items', 'volume_multiplier', 'revenue_trend') }} as revenue_items_per_day,
        {{ eros_volume.cap_engagement('engagement_uncapped') }} as engagement_items_per_day,
        {{ eros_volume.cap_retention('retention_uncapped', 'page_type') }}
            as retention_items_per_day
    from scaled
),

described as (
    select
        *,
        least(revenue_items_per_day, followup_cap) as followup_per_day,
        {{ eros_volume.flag_list([
            ('fan_count_missing', 'fan_count_missing'),
            ('fan_count_negative', 'fan_count_negative'),
            ('page_type_unknown', 'page_type_unknown'),
            ('saturation_clamped', 'saturation_clamped'),
            ('opportunity_clamped', 'opportunity_clamped'),
            ('opportunity_missing', 'opportunity_missing'),
            ('tracking_in_future', 'tracking_in_future'),
        ]) }} as data_quality_flags
    from capped
),

explained as (
    select
        *,
        {{ eros_volume.volume_explanation() }} as explanation
    from described
),

final as (
    select
        creator_id,
        page_name,
        page_type,
        fan_count,
        is_active,
        volume_level,
        revenue_items_per_day,
        engagement_items_per_day,
        retention_items_per_day,
        revenue_items_per_day as ppv_per_day,
        engagement_items_per_day as bump_per_day,
        bundle_per_week,
        game_per_week,
        followup_per_day,
        saturation_score,
        opportunity_score,
        revenue_trend,
        {{ dbt.cast('saturation_multiplier', 'double') }} as saturation_multiplier,
        {{ dbt.cast('opportunity_multiplier', 'double') }} as opportunity_multiplier,
        {{ dbt.cast('volume_multiplier', 'double') }} as volume_multiplier,
        'dynamic' as calculation_source,
        data_source,
        tracking_date,
        data_quality_flags,
        explanation,
        base_revenue_items,
        base_engagement_items,
        base_retention_items,
        trend_adjustment,
        saturation_band,
        opportunity_band
    from explained
)

select * from final
order by creator_id

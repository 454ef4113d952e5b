{#- Per creator: the scores used, their source and age, and what needs attention. -#}
with

configs as (
    select * from {{ ref('int_volume_config') }}
),

final as (
    select
        creator_id,
        page_name,
        is_active,
        volume_level,
        fan_count,
        saturation_score,
        opportunity_score,
        revenue_trend,
        data_source,
        tracking_date,
        {{ eros_volume.days_between('tracking_date', eros_volume.as_of_date()) }}
            as tracking_age_days,
        saturation_band = 'high' as is_over_saturated,
        opportunity_band = 'high' as is_high_opportunity,
        opportunity_band != 'none' as has_opportunity_boost,
        volume_multiplier,
        revenue_items_per_day,
        base_revenue_items,
        revenue_items_per_day - base_revenue_items as revenue_delta,
        data_quality_flags
    from configs
)

select * from final

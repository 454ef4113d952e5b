{#- Per creator: the scores used, their source and age, and what needs attention. -#}
with

configs as (
    select * from {{ ref('volume_config') }}
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
        saturation_score > {{ var('saturation_high_above') }} as is_over_saturated,
        {{ eros_volume.opportunity_band('opportunity_score', 'saturation_score') }} = 'high'
            as is_high_opportunity,
        {{ eros_volume.opportunity_band('opportunity_score', 'saturation_score') }} != 'none'
            as has_opportunity_boost,
        volume_multiplier,
        revenue_items_per_day,
        base_revenue_items,
        revenue_items_per_day - base_revenue_items as revenue_delta,
        data_quality_flags
    from configs
)

select * from final

{#- The legacy get_volume_assignment shape, from the dynamic result (deprecated API). -#}
with

configs as (
    select * from {{ ref('volume_config') }}
),

final as (
    select
        creator_id,
        page_name,
        volume_level,
        ppv_per_day,
        bump_per_day,
        tracking_date as assigned_at,
        'dynamic_calculation' as assigned_by,
        'fan_count_bracket' as assigned_reason,
        true as is_deprecated,
        'get_volume_assignment is deprecated. Use get_volume_config() for dynamic calculation'
        || ' with full metadata.' as deprecation_message
    from configs
)

select * from final

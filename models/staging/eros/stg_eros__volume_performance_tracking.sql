{#- Tracking rows of the configured period from monitor_history_days before as_of onwards. -#}
with

source as (
    {{ eros_volume.select_raw('volume_performance_tracking', {
        'creator_id': 'varchar',
        'tracking_date': 'varchar',
        'tracking_period': 'varchar',
        'saturation_score': 'double',
        'opportunity_score': 'double',
        'revenue_per_send_trend': 'double',
        'calculated_at': 'varchar',
    }, required_columns=['creator_id', 'tracking_date', 'tracking_period', 'saturation_score'],
    optional_table=true,
    raw_filter="tracking_date >= '" ~ eros_volume.tracking_needed_from_day() ~ "'") }}
),

typed as (
    select
        creator_id,
        {{ eros_volume.safe_cast(eros_volume.safe_cast('tracking_date', 'timestamp'), 'date') }}
            as tracking_date,
        trim(tracking_period) as tracking_period,
        saturation_score,
        opportunity_score,
        revenue_per_send_trend,
        {{ eros_volume.safe_cast('calculated_at', 'timestamp') }} as calculated_at
    from source
    where trim(tracking_period) = '{{ var("tracking_period") }}'
),

recent as (
    select
        *,
        {{ eros_volume.days_between('tracking_date', eros_volume.as_of_date()) }}
            as tracking_age_days
    from typed
    where
        tracking_date
        >= {{ eros_volume.add_days(eros_volume.as_of_date(), -var('monitor_history_days')) }}
)

select * from recent

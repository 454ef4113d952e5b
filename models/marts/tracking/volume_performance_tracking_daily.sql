{#-
  Rows in the volume_performance_tracking shape (SPEC 6), one per creator with enough messages
  and per day of the tracking range (default: the day of as_of). `eros-volume track` upserts them
  into the operational database. Scores are the on-demand scores of the same moment.
-#}

with

scores as (
    select * from {{ ref('int_creator_scores__on_demand') }}
    where has_enough_messages
),

base_volumes as (
    select * from {{ ref('int_creator_base_volumes') }}
),

days as (
    select *
    from scores
    where is_tracking_day
),

final as (
    select
        days.creator_id,
        days.tracking_date,
        '{{ var("tracking_period") }}' as tracking_period,
        round(
            {{ dbt.cast('days.current_messages', 'double') }} / {{ var('score_window_days') }}, 2
        ) as avg_daily_volume,
        days.current_messages as total_messages_sent,
        days.avg_revenue_per_send,
        days.avg_view_rate,
        days.avg_purchase_rate,
        days.total_earnings,
        coalesce(days.revenue_per_send_change, 0) as revenue_per_send_trend,
        coalesce(days.view_rate_change, 0) as view_rate_trend,
        coalesce(days.purchase_rate_change, 0) as purchase_rate_trend,
        days.earnings_volatility,
        days.saturation_score,
        days.opportunity_score,
        {{ eros_volume.revenue_items_per_day(
            'base_volumes.base_revenue_items',
            eros_volume.volume_multiplier('days.saturation_score', 'days.opportunity_score'),
            'coalesce(days.revenue_per_send_change, 0)') }}
        - base_volumes.base_revenue_items as recommended_volume_delta,
        days.score_at as calculated_at
    from days
    inner join base_volumes
        on days.creator_id = base_volumes.creator_id
)

select * from final

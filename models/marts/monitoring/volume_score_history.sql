{#-
  Score history per creator: the tracking rows of the configured period (14d) from
  monitor_history_days before as_of onwards, one per creator and day, with their age and whether
  volume_config uses them.
-#}
with

tracking as (
    select * from {{ ref('stg_eros__volume_performance_tracking') }}
),

scores as (
    select * from {{ ref('int_creator_scores') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by creator_id, tracking_date
            order by calculated_at desc nulls last, saturation_score desc nulls last
        ) as day_rank
    from tracking
    where creator_id is not null and invalid_reason is null
),

final as (
    select
        ranked.creator_id,
        ranked.tracking_date,
        ranked.saturation_score,
        ranked.opportunity_score,
        ranked.revenue_per_send_trend,
        ranked.calculated_at,
        ranked.tracking_age_days,
        ranked.tracking_age_days < 0 as is_in_future,
        ranked.tracking_age_days between 0 and {{ var('tracking_max_age_days') }}
            as is_within_max_age,
        coalesce(
            scores.data_source = 'volume_performance_tracking'
            and scores.tracking_date = ranked.tracking_date,
            false
        ) as is_used_by_config
    from ranked
    left join scores
        on ranked.creator_id = scores.creator_id
    where ranked.day_rank = 1
)

select * from final

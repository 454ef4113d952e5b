{#- The tracking row volume_config uses per creator (SPEC 5, source 1), and the future-row flag. -#}
with

tracking as (
    select * from {{ ref('stg_eros__volume_performance_tracking') }}
),

usable as (
    select
        *,
        row_number() over (
            partition by creator_id
            order by tracking_date desc, calculated_at desc nulls last
        ) as recency_rank
    from tracking
    where
        invalid_reason is null
        and saturation_score is not null
        and tracking_age_days between 0 and {{ var('tracking_max_age_days') }}
),

chosen as (
    select
        creator_id,
        tracking_date,
        tracking_age_days,
        saturation_score as raw_saturation_score,
        opportunity_score as raw_opportunity_score,
        {{ eros_volume.clamp_score('saturation_score') }} as saturation_score,
        {{ eros_volume.clamp_score(
            'coalesce(opportunity_score, ' ~ var('default_opportunity') ~ ')') }}
            as opportunity_score,
        coalesce(revenue_per_send_trend, {{ var('default_trend') }}) as revenue_trend,
        {{ eros_volume.score_out_of_range('saturation_score') }} as saturation_clamped,
        coalesce({{ eros_volume.score_out_of_range('opportunity_score') }}, false)
            as opportunity_clamped,
        opportunity_score is null as opportunity_missing
    from usable
    where recency_rank = 1
),

future as (
    select distinct creator_id
    from tracking
    where tracking_age_days < 0
),

final as (
    select
        coalesce(chosen.creator_id, future.creator_id) as creator_id,
        chosen.tracking_date,
        chosen.tracking_age_days,
        chosen.raw_saturation_score,
        chosen.raw_opportunity_score,
        chosen.saturation_score,
        chosen.opportunity_score,
        chosen.revenue_trend,
        coalesce(chosen.saturation_clamped, false) as saturation_clamped,
        coalesce(chosen.opportunity_clamped, false) as opportunity_clamped,
        coalesce(chosen.opportunity_missing, false) as opportunity_missing,
        chosen.creator_id is not null as has_tracking_row,
        future.creator_id is not null as tracking_in_future
    from chosen
    full outer join future
        on chosen.creator_id = future.creator_id
)

select * from final

{#-
  Window metrics and scores from mass_messages (SPEC 6), per creator and score point. The same
  rows serve the on-demand path of volume_config (the as_of point) and the tracking job. The
  score points come from vars: as_of, and each day of the tracking range (tracking_from ..
  tracking_to) at 23:59:59, except the day of as_of, which uses as_of itself.
-#}
with

messages as (
    select * from {{ ref('stg_eros__mass_messages') }}
),

point_moments as (
    {{ eros_volume.score_points_select() }}
),

points as (
    select
        score_at,
        is_tracking_day,
        cast(score_at as date) as tracking_date,
        score_at = {{ eros_volume.as_of() }} as is_as_of
    from point_moments
),

scoring_messages as (
    select
        points.score_at,
        points.tracking_date,
        points.is_as_of,
        points.is_tracking_day,
        messages.creator_id,
        messages.earnings,
        messages.revenue_per_send,
        messages.view_rate,
        messages.purchase_rate,
        messages.sent_at > {{ eros_volume.add_days('points.score_at', -var('score_window_days')) }}
            as is_current
    from points
    inner join messages
        on
            points.score_at >= messages.sent_at
            and {{ eros_volume.add_days('points.score_at', -2 * var('score_window_days')) }}
            < messages.sent_at
    where messages.is_scoring_message
),

windows as (
    select
        creator_id,
        score_at,
        tracking_date,
        is_as_of,
        is_tracking_day,
        count(case when is_current then 1 end) as current_messages,
        count(case when not is_current then 1 end) as previous_messages,
        avg(case when is_current then revenue_per_send end) as current_revenue_per_send,
        avg(case when not is_current then revenue_per_send end) as previous_revenue_per_send,
        avg(case when is_current then view_rate end) as current_view_rate,
        avg(case when not is_current then view_rate end) as previous_view_rate,
        avg(case when is_current then purchase_rate end) as current_purchase_rate,
        avg(case when not is_current then purchase_rate end) as previous_purchase_rate,
        {{ eros_volume.round_metric('sum(case when is_current then earnings end)') }}
            as current_earnings,
        avg(case when is_current then earnings end) as current_avg_earnings,
        stddev_pop(case when is_current then earnings end) as current_earnings_stddev
    from scoring_messages
    group by creator_id, score_at, tracking_date, is_as_of, is_tracking_day
),

metrics as (
    select
        creator_id,
        score_at,
        tracking_date,
        is_as_of,
        is_tracking_day,
        current_messages,
        previous_messages,
        current_messages >= {{ var('min_messages_for_scores') }} as has_enough_messages,
        {{ eros_volume.round_metric('current_revenue_per_send') }} as avg_revenue_per_send,
        {{ eros_volume.round_metric('current_view_rate') }} as avg_view_rate,
        {{ eros_volume.round_metric('current_purchase_rate') }} as avg_purchase_rate,
        coalesce(current_earnings, 0) as total_earnings,
        {{ eros_volume.round_metric(
            'case when current_messages >= 2 and current_avg_earnings > 0'
            ~ ' then current_earnings_stddev / current_avg_earnings else 0 end') }}
            as earnings_volatility,
        {#- An empty previous window reads as equal to the current one: no change. -#}
        case
            when previous_messages = 0 then 0
            else {{ eros_volume.pct_change(
                'current_revenue_per_send', 'previous_revenue_per_send') }}
        end as revenue_per_send_change,
        case
            when previous_messages = 0 then 0
            else {{ eros_volume.pct_change('current_view_rate', 'previous_view_rate') }}
        end as view_rate_change,
        case
            when previous_messages = 0 then 0
            else {{ eros_volume.pct_change('current_purchase_rate', 'previous_purchase_rate') }}
        end as purchase_rate_change
    from windows
    where current_messages > 0
),

scored as (
    select
        *,
        {{ eros_volume.saturation_score(
            'revenue_per_send_change', 'view_rate_change', 'purchase_rate_change',
            'earnings_volatility') }} as saturation_score,
        {{ eros_volume.opportunity_score(
            'revenue_per_send_change', 'view_rate_change', 'avg_purchase_rate') }} as opportunity_score
    from metrics
)

select * from scored

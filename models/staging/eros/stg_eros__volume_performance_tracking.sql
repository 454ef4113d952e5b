{#-
  Tracking rows of the configured period (14d) from monitor_history_days before as_of onwards. A
  row whose values cannot be used (SPEC 7) is kept with its invalid_reason and never chosen: an
  null creator_id, an unparseable or null tracking_date, or, on a row young enough to be used (0 to
  tracking_max_age_days old), a score or trend that is present but not a finite number.
-#}
with

source as (
    {{ eros_volume.select_raw('volume_performance_tracking', {
        'creator_id': 'varchar',
        'tracking_date': 'varchar',
        'tracking_period': 'varchar',
        'saturation_score': 'varchar',
        'opportunity_score': 'varchar',
        'revenue_per_send_trend': 'varchar',
        'calculated_at': 'varchar',
    }, required_columns=['creator_id', 'tracking_date', 'tracking_period', 'saturation_score'],
    optional_table=true,
    raw_filter="tracking_date >= '" ~ eros_volume.tracking_needed_from_day()
        ~ "' or tracking_date is null") }}
),

typed as (
    select
        creator_id,
        tracking_date as tracking_date_text,
        saturation_score as saturation_score_text,
        opportunity_score as opportunity_score_text,
        revenue_per_send_trend as revenue_per_send_trend_text,
        {{ eros_volume.safe_cast(eros_volume.safe_cast('tracking_date', 'timestamp'), 'date') }}
            as tracking_date,
        trim(tracking_period) as tracking_period,
        {{ eros_volume.safe_cast('saturation_score', 'double') }} as saturation_score,
        {{ eros_volume.safe_cast('opportunity_score', 'double') }} as opportunity_score,
        {{ eros_volume.safe_cast('revenue_per_send_trend', 'double') }} as revenue_per_send_trend,
        {{ eros_volume.safe_cast('calculated_at', 'timestamp') }} as calculated_at
    from source
    where trim(tracking_period) = '{{ var("tracking_period") }}'
),

aged as (
    select
        *,
        {{ eros_volume.days_between('tracking_date', eros_volume.as_of_date()) }}
            as tracking_age_days
    from typed
),

checked as (
    select
        *,
        case when creator_id is null then 'invalid creator_id' end as creator_id_problem,
        {{ eros_volume.invalid_timestamp_reason('tracking_date', 'tracking_date') }}
            as tracking_date_problem,
        {{ eros_volume.invalid_number_reason('saturation_score') }}
            as saturation_score_problem,
        {{ eros_volume.invalid_number_reason('opportunity_score') }}
            as opportunity_score_problem,
        {{ eros_volume.invalid_number_reason('revenue_per_send_trend') }}
            as revenue_per_send_trend_problem,
        coalesce(tracking_age_days between 0 and {{ var('tracking_max_age_days') }}, false)
            as is_choosable
    from aged
),

-- Scores and trend are checked only on rows young enough to be chosen.
described as (
    select
        creator_id,
        tracking_date,
        tracking_period,
        saturation_score,
        opportunity_score,
        revenue_per_send_trend,
        calculated_at,
        tracking_age_days,
        tracking_date_text,
        coalesce(
            creator_id_problem,
            tracking_date_problem,
            case
                when is_choosable
                    then coalesce(
                        saturation_score_problem,
                        opportunity_score_problem,
                        revenue_per_send_trend_problem
                    )
            end
        ) as invalid_reason,
        case
            when creator_id_problem is not null then null
            when tracking_date_problem is not null then tracking_date_text
            when not is_choosable then null
            when saturation_score_problem is not null then saturation_score_text
            when opportunity_score_problem is not null then opportunity_score_text
            when revenue_per_send_trend_problem is not null then revenue_per_send_trend_text
        end as invalid_value
    from checked
),

recent as (
    select *
    from described
    where
        invalid_reason is not null
        or tracking_date
        >= {{ eros_volume.add_days(eros_volume.as_of_date(), -var('monitor_history_days')) }}
)

select * from recent

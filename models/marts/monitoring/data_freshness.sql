{#-
  One row: this build's as_of and how old its data is (SPEC 5; issue 10). The newest usable PPV
  or free message sent at or before as_of, the newest usable 14d tracking row dated on or before
  date(as_of), their age in whole days before date(as_of), and whether each is older than
  stale_data_days. Null newest: none in what the build reads (messages from the score and summary
  windows, tracking rows from monitor_history_days), which also counts as stale.
-#}
with

messages as (
    select * from {{ ref('stg_eros__mass_messages') }}
    where invalid_reason is null
),

tracking as (
    select * from {{ ref('stg_eros__volume_performance_tracking') }}
    where invalid_reason is null
),

newest_message as (
    select max(sent_at) as newest_message_at
    from messages
),

newest_tracking as (
    select max(tracking_date) as newest_tracking_date
    from tracking
    where tracking_date <= {{ eros_volume.as_of_date() }}
),

aged as (
    select
        {{ eros_volume.as_of() }} as as_of,
        newest_message.newest_message_at,
        newest_tracking.newest_tracking_date,
        {{ eros_volume.days_between(
            dbt.cast('newest_message.newest_message_at', 'date'), eros_volume.as_of_date()) }}
            as message_age_days,
        {{ eros_volume.days_between(
            'newest_tracking.newest_tracking_date', eros_volume.as_of_date()) }}
            as tracking_age_days,
        {{ var('stale_data_days') }} as stale_data_days
    from newest_message
    cross join newest_tracking
),

final as (
    select
        as_of,
        newest_message_at,
        newest_tracking_date,
        message_age_days,
        tracking_age_days,
        stale_data_days,
        coalesce(message_age_days > stale_data_days, true) as messages_stale,
        coalesce(tracking_age_days > stale_data_days, true) as tracking_stale
    from aged
)

select * from final

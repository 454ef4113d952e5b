{#-
  Only the messages a build can use: from the earliest window start to as_of. The raw filter on
  sending_time (a day early, so any time format of that day passes) runs in the raw database and
  skips old history before any cast; the exact bounds follow on the typed value.
-#}
with

source as (
    {{ eros_volume.select_raw('mass_messages', {
        'message_id': 'varchar',
        'creator_id': 'varchar',
        'page_name': 'varchar',
        'sending_time': 'varchar',
        'message_type': 'varchar',
        'price': 'double',
        'sent_count': 'bigint',
        'viewed_count': 'bigint',
        'purchased_count': 'bigint',
        'earnings': 'double',
    }, required_columns=[
        'creator_id', 'sending_time', 'message_type',
        'sent_count', 'viewed_count', 'purchased_count', 'earnings',
    ], raw_filter="sending_time >= '" ~ eros_volume.messages_needed_from_day() ~ "'") }}
),

typed as (
    select
        message_id,
        creator_id,
        page_name,
        {{ eros_volume.safe_cast('sending_time', 'timestamp') }} as sent_at,
        lower(trim(message_type)) as message_type,
        price,
        sent_count,
        viewed_count,
        purchased_count,
        coalesce(earnings, 0) as earnings
    from source
),

windowed as (
    select
        *,
        message_type = 'ppv' and sent_count > 0 as is_scoring_message,
        case when sent_count > 0 then earnings / sent_count end as revenue_per_send,
        case when sent_count > 0 then 1.0 * viewed_count / sent_count end as view_rate,
        case when sent_count > 0 then 1.0 * purchased_count / sent_count end as purchase_rate
    from typed
    where
        sent_at > {{ eros_volume.timestamp_literal(eros_volume.messages_needed_from()) }}
        and sent_at <= {{ eros_volume.as_of() }}
)

select * from windowed

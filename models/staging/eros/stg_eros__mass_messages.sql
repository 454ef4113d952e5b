{#-
  The messages a build can use: from the earliest window start to as_of. The raw filter on
  sending_time (a day early, so any time format of that day passes) runs in the raw database and
  skips old history before any cast; the exact bounds follow on the typed value.
  A PPV message whose values cannot be used (SPEC 7) is kept with its invalid_reason and left out
  of the math: a null creator_id, an unparseable or null sending_time, or, inside the windows, a count that is not a
  non-negative integer or earnings that are not a finite number up to max_valid_earnings.
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
        'sent_count': 'varchar',
        'viewed_count': 'varchar',
        'purchased_count': 'varchar',
        'earnings': 'varchar',
    }, required_columns=[
        'creator_id', 'sending_time', 'message_type',
        'sent_count', 'viewed_count', 'purchased_count', 'earnings',
    ], raw_filter="sending_time >= '" ~ eros_volume.messages_needed_from_day()
        ~ "' or sending_time is null") }}
),

typed as (
    select
        message_id,
        creator_id,
        page_name,
        sending_time,
        sent_count as sent_count_text,
        viewed_count as viewed_count_text,
        purchased_count as purchased_count_text,
        earnings as earnings_text,
        {{ eros_volume.safe_cast('sending_time', 'timestamp') }} as sent_at,
        lower(trim(message_type)) as message_type,
        price,
        {{ eros_volume.safe_cast('sent_count', 'bigint') }} as sent_count,
        {{ eros_volume.safe_cast('viewed_count', 'bigint') }} as viewed_count,
        {{ eros_volume.safe_cast('purchased_count', 'bigint') }} as purchased_count,
        {{ eros_volume.safe_cast('earnings', 'double') }} as earnings_value
    from source
),

ranged as (
    select
        *,
        coalesce(
            sent_at > {{ eros_volume.timestamp_literal(eros_volume.messages_needed_from()) }}
            and sent_at <= {{ eros_volume.as_of() }},
            false
        ) as is_in_range
    from typed
),

checked as (
    select
        *,
        case when message_type = 'ppv' and creator_id is null then 'invalid creator_id' end
            as creator_id_problem,
        case when message_type = 'ppv' then
            {{ eros_volume.invalid_timestamp_reason('sent_at', 'sending_time') }}
        end as sending_time_problem,
        {%- for name in ['sent_count', 'viewed_count', 'purchased_count'] %}
        case when message_type = 'ppv' and is_in_range then
            {{ eros_volume.invalid_count_reason(name, name ~ '_text', name) }}
        end as {{ name }}_problem,
        {%- endfor %}
        case when message_type = 'ppv' and is_in_range then
            {{ eros_volume.invalid_amount_reason(
                'earnings_value', 'earnings_text', 'earnings', 'max_valid_earnings') }}
        end as earnings_problem
    from ranged
),

described as (
    select
        *,
        coalesce(
            creator_id_problem,
            sending_time_problem,
            sent_count_problem,
            viewed_count_problem,
            purchased_count_problem,
            earnings_problem
        ) as invalid_reason,
        case
            when sending_time_problem is not null then sending_time
            when sent_count_problem is not null then sent_count_text
            when viewed_count_problem is not null then viewed_count_text
            when purchased_count_problem is not null then purchased_count_text
            when earnings_problem is not null then earnings_text
        end as invalid_value
    from checked
),

windowed as (
    select
        message_id,
        creator_id,
        page_name,
        sent_at,
        message_type,
        price,
        sent_count,
        viewed_count,
        purchased_count,
        coalesce(earnings_value, 0) as earnings,
        invalid_reason,
        invalid_value,
        invalid_reason is null and message_type = 'ppv' and sent_count > 0 as is_scoring_message,
        case when sent_count > 0 then coalesce(earnings_value, 0) / sent_count end
            as revenue_per_send,
        case when sent_count > 0 then 1.0 * viewed_count / sent_count end as view_rate,
        case when sent_count > 0 then 1.0 * purchased_count / sent_count end as purchase_rate
    from described
    where is_in_range or invalid_reason is not null
)

select * from windowed

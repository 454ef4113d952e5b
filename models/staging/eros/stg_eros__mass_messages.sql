{#-
  The messages a build can use: from the earliest window start to as_of. The raw filter on
  sending_time (a day early, so any time format of that day passes) runs in the raw database and
  skips old history before any cast; the exact bounds follow on the typed value.
  A PPV message whose values cannot be used (SPEC 7) is kept with its invalid_reason and left out
  of the math: a null creator_id, an unparseable or null sending_time, or, inside the windows, a count that is not a
  non-negative integer or earnings that are not a finite number up to max_valid_earnings.
  The counts and earnings are read as text (SQLite, text columns) or, when the raw column already
  has the type, as stored (a typed DuckDB file: no text round trip over every row); either way
  the *_text columns are null exactly when the raw value is, and the invalid value is turned into
  text only for the rows that have one. Only the columns the models downstream read are kept (the
  table holds every message of the windows).
-#}
{{ config(
    pre_hook=["{{ eros_volume.light_compression(true) }}"],
    post_hook=["{{ eros_volume.light_compression(false) }}"],
) }}

with

source as (
    {{ eros_volume.select_raw('mass_messages', {
        'message_id': 'varchar',
        'creator_id': 'varchar',
        'sending_time': 'varchar',
        'message_type': 'varchar',
        'sent_count': 'varchar',
        'viewed_count': 'varchar',
        'purchased_count': 'varchar',
        'earnings': 'varchar',
    }, required_columns=[
        'creator_id', 'sending_time', 'message_type',
        'sent_count', 'viewed_count', 'purchased_count', 'earnings',
    ], raw_filter="sending_time >= '" ~ eros_volume.messages_needed_from_day()
        ~ "' or sending_time is null", as_stored={
        'sent_count': 'bigint',
        'viewed_count': 'bigint',
        'purchased_count': 'bigint',
        'earnings': 'double',
    }) }}
),

typed as (
    select
        message_id,
        creator_id,
        sending_time,
        sent_count as sent_count_text,
        viewed_count as viewed_count_text,
        purchased_count as purchased_count_text,
        earnings as earnings_text,
        {{ eros_volume.safe_cast('sending_time', 'timestamp') }} as sent_at,
        lower(trim(message_type)) as message_type,
        {{ eros_volume.safe_cast('sent_count', 'bigint') }} as sent_count,
        {{ eros_volume.safe_cast('viewed_count', 'bigint') }} as viewed_count,
        {{ eros_volume.safe_cast('purchased_count', 'bigint') }} as purchased_count,
        {{ eros_volume.safe_cast('earnings', 'double') }} as earnings
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
        case when creator_id is null then 'invalid creator_id' end as creator_id_problem,
        {{ eros_volume.invalid_timestamp_reason('sent_at', 'sending_time') }}
            as sending_time_problem,
        {{ eros_volume.invalid_count_reason('sent_count') }}
            as sent_count_problem,
        {{ eros_volume.invalid_count_reason('viewed_count') }}
            as viewed_count_problem,
        {{ eros_volume.invalid_count_reason('purchased_count') }}
            as purchased_count_problem,
        {{ eros_volume.invalid_amount_reason('earnings', 'max_valid_earnings') }}
            as earnings_problem
    from ranged
),

-- Only PPV messages are checked; their values only inside what the build reads.
described as (
    select
        *,
        case
            when message_type = 'ppv'
                then coalesce(
                    creator_id_problem,
                    sending_time_problem,
                    case
                        when is_in_range
                            then coalesce(
                                sent_count_problem,
                                viewed_count_problem,
                                purchased_count_problem,
                                earnings_problem
                            )
                    end
                )
        end as invalid_reason
    from checked
),

valued as (
    select
        *,
        case
            when invalid_reason is null then null
            when invalid_reason = creator_id_problem then null
            when invalid_reason = sending_time_problem then sending_time
            when invalid_reason = sent_count_problem
                then {{ dbt.cast('sent_count_text', dbt.type_string()) }}
            when invalid_reason = viewed_count_problem
                then {{ dbt.cast('viewed_count_text', dbt.type_string()) }}
            when invalid_reason = purchased_count_problem
                then {{ dbt.cast('purchased_count_text', dbt.type_string()) }}
            when invalid_reason = earnings_problem
                then {{ dbt.cast('earnings_text', dbt.type_string()) }}
        end as invalid_value
    from described
),

windowed as (
    select
        message_id,
        creator_id,
        sent_at,
        coalesce(earnings, 0) as earnings,
        invalid_reason,
        invalid_value,
        invalid_reason is null and message_type = 'ppv' and sent_count > 0 as is_scoring_message,
        case when sent_count > 0 then coalesce(earnings, 0) / sent_count end
            as revenue_per_send,
        case
            when sent_count > 0 then {{ dbt.cast('viewed_count', 'double') }} / sent_count
        end as view_rate,
        case
            when sent_count > 0 then {{ dbt.cast('purchased_count', 'double') }} / sent_count
        end as purchase_rate
    from valued
    where is_in_range or invalid_reason is not null
)

select * from windowed

{#-
  Every raw row a build read but could not use (SPEC 7): its table, key, creator, the value and
  the reason. Staging sets the reason; the rows are left out of all the math.
-#}
with

messages as (
    select * from {{ ref('stg_eros__mass_messages') }}
    where invalid_reason is not null
),

tracking as (
    select * from {{ ref('stg_eros__volume_performance_tracking') }}
    where invalid_reason is not null
),

rejected as (
    select
        'mass_messages' as table_name,
        coalesce(message_id, '(no message_id)') as row_key,
        creator_id,
        invalid_value,
        invalid_reason
    from messages
    union all
    select
        'volume_performance_tracking' as table_name,
        coalesce(creator_id, '(no creator_id)') || ' ' || coalesce(tracking_date_text, '(no date)')
        || ' ' || tracking_period as row_key,
        creator_id,
        invalid_value,
        invalid_reason
    from tracking
)

select * from rejected

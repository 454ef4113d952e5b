{#- Every raw row this build ignored because a value could not be used (SPEC 7), with why. -#}
with

rejected as (
    select * from {{ ref('int_raw_rows_rejected') }}
),

final as (
    select
        table_name,
        row_key,
        creator_id,
        invalid_value as raw_value,
        invalid_reason as reason
    from rejected
)

select * from final

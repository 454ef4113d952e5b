{#- get_creator_profile's analytics_summary: PPV sends over the days before as_of. -#}
with

messages as (
    select * from {{ ref('stg_eros__mass_messages') }}
),

recent as (
    select *
    from messages
    where
        is_scoring_message
        and sent_at
        > {{ eros_volume.add_days(eros_volume.as_of(), -var('analytics_summary_days')) }}
),

final as (
    select
        creator_id,
        '{{ var("analytics_summary_days") }}d' as period_type,
        count(*) as total_sends,
        {{ eros_volume.round_metric('sum(earnings)') }} as total_earnings,
        {{ eros_volume.round_metric('avg(revenue_per_send)') }} as avg_earnings_per_send,
        {{ eros_volume.round_metric('avg(purchase_rate)') }} as avg_purchase_rate,
        {{ eros_volume.round_metric('avg(view_rate)') }} as avg_view_rate,
        {{ eros_volume.as_of() }} as calculated_at
    from recent
    group by creator_id
)

select * from final

{#- get_creator_profile's top_content_types: each creator's newest analysis, by rank. -#}
with

content_types as (
    select * from {{ ref('stg_eros__top_content_types') }}
),

newest as (
    select
        *,
        max(analysis_date) over (partition by creator_id) as newest_analysis_date
    from content_types
),

final as (
    select
        creator_id,
        analysis_date,
        content_rank,
        content_type,
        send_count,
        total_earnings,
        avg_earnings,
        avg_purchase_rate,
        performance_tier
    from newest
    where analysis_date = newest_analysis_date
)

select * from final

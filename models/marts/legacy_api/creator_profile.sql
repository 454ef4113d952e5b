{#- Every creator with its creators columns (normalised page type) and newest persona. -#}
with

creators as (
    select * from {{ ref('stg_eros__creators') }}
),

personas as (
    select * from {{ ref('stg_eros__creator_personas') }}
),

final as (
    select
        creators.creator_id,
        creators.page_name,
        creators.display_name,
        creators.page_type,
        creators.subscription_price,
        creators.is_active,
        creators.timezone,
        creators.creator_group,
        creators.current_active_fans,
        creators.current_total_earnings,
        creators.performance_tier,
        creators.persona_type,
        creators.created_at,
        creators.updated_at,
        personas.primary_tone,
        personas.secondary_tone,
        personas.emoji_frequency,
        personas.slang_level
    from creators
    left join personas
        on creators.creator_id = personas.creator_id
)

select * from final

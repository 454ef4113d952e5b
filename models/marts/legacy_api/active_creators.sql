{#- Active creators with persona, no volume fields (the legacy get_active_creators shape). -#}
with

profiles as (
    select * from {{ ref('creator_profile') }}
),

base_volumes as (
    select * from {{ ref('int_creator_base_volumes') }}
),

final as (
    select
        profiles.creator_id,
        profiles.page_name,
        profiles.display_name,
        profiles.page_type,
        profiles.subscription_price,
        profiles.timezone,
        profiles.creator_group,
        profiles.current_active_fans,
        profiles.current_total_earnings,
        profiles.performance_tier,
        profiles.persona_type,
        profiles.primary_tone,
        profiles.emoji_frequency,
        profiles.slang_level,
        base_volumes.volume_level as dynamic_volume_level,
        {#- bigint on every engine (Spark's row_number is an int) -#}
        {{ dbt.cast(
            'row_number() over (order by profiles.current_total_earnings desc nulls last,'
            ~ ' profiles.creator_id asc)', 'bigint') }} as earnings_rank
    from profiles
    inner join base_volumes
        on profiles.creator_id = base_volumes.creator_id
    where profiles.is_active
)

select * from final

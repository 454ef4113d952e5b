with

source as (
    {{ eros_volume.select_raw('creators', {
        'creator_id': 'varchar',
        'page_name': 'varchar',
        'display_name': 'varchar',
        'page_type': 'varchar',
        'subscription_price': 'double',
        'is_active': 'integer',
        'timezone': 'varchar',
        'creator_group': 'varchar',
        'current_active_fans': 'bigint',
        'current_total_earnings': 'double',
        'performance_tier': 'integer',
        'persona_type': 'varchar',
        'created_at': 'varchar',
        'updated_at': 'varchar',
    }, required_columns=['creator_id', 'current_active_fans']) }}
),

normalised as (
    select
        *,
        lower(trim(page_type)) as page_type_clean
    from source
),

renamed as (
    select
        creator_id,
        page_name,
        display_name,
        case
            when page_type_clean in ('paid', 'free') then page_type_clean
            else 'paid'
        end as page_type,
        page_type as page_type_raw,
        subscription_price,
        coalesce(is_active = 1, false) as is_active,
        timezone,
        creator_group,
        current_active_fans,
        greatest(coalesce(current_active_fans, 0), 0) as fan_count,
        current_total_earnings,
        performance_tier,
        persona_type,
        created_at,
        updated_at,
        current_active_fans is null as fan_count_missing,
        coalesce(current_active_fans < 0, false) as fan_count_negative,
        coalesce(page_type_clean not in ('paid', 'free'), true) as page_type_unknown,
        not coalesce(
            {{ eros_volume.matches_pattern('creator_id', var('creator_id_pattern')) }}
            and length(creator_id) <= {{ var('creator_id_max_length') }},
            false
        ) as creator_id_unsupported
    from normalised
)

select * from renamed

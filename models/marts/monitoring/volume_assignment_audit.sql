{#- Active legacy volume_assignments rows against the dynamic result, for retiring the table. -#}
with

assignments as (
    select * from {{ ref('stg_eros__volume_assignments') }}
),

configs as (
    select * from {{ ref('volume_config') }}
),

compared as (
    select
        assignments.assignment_id,
        assignments.creator_id,
        configs.page_name,
        assignments.volume_level as legacy_volume_level,
        configs.volume_level as dynamic_volume_level,
        assignments.ppv_per_day as legacy_ppv_per_day,
        configs.ppv_per_day as dynamic_ppv_per_day,
        assignments.bump_per_day as legacy_bump_per_day,
        configs.bump_per_day as dynamic_bump_per_day,
        assignments.assigned_at as legacy_assigned_at,
        assignments.assigned_reason as legacy_assigned_reason,
        configs.fan_count,
        configs.data_source,
        configs.creator_id is not null as creator_exists
    from assignments
    left join configs
        on assignments.creator_id = configs.creator_id
    where assignments.is_active
),

final as (
    select
        *,
        coalesce(lower(legacy_volume_level) != lower(dynamic_volume_level), true) as level_differs,
        coalesce(legacy_ppv_per_day != dynamic_ppv_per_day, true) as ppv_differs,
        coalesce(legacy_bump_per_day != dynamic_bump_per_day, true) as bump_differs
    from compared
)

select
    *,
    level_differs or ppv_differs or bump_differs as any_differs
from final

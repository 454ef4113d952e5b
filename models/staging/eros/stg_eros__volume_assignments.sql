with

source as (
    {{ eros_volume.select_raw('volume_assignments', {
        'assignment_id': 'varchar',
        'creator_id': 'varchar',
        'volume_level': 'varchar',
        'ppv_per_day': 'integer',
        'bump_per_day': 'integer',
        'assigned_at': 'varchar',
        'assigned_by': 'varchar',
        'assigned_reason': 'varchar',
        'is_active': 'integer',
        'notes': 'varchar',
    }, required_columns=['creator_id', 'volume_level'], optional_table=true) }}
),

renamed as (
    select
        assignment_id,
        creator_id,
        volume_level,
        ppv_per_day,
        bump_per_day,
        assigned_at,
        assigned_by,
        assigned_reason,
        coalesce(is_active = 1, false) as is_active,
        notes
    from source
)

select * from renamed

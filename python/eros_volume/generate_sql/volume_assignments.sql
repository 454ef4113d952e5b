create or replace temp table g_volume_assignments as
-- The legacy static volumes per level (drifted data of the old system, not the tier rules).
with levels as (
    select * from (values
        ('Low', 2, 2), ('Mid', 3, 2), ('High', 4, 3), ('Ultra', 6, 4)
    ) as l(level, ppv, bump)
),
names as (
    select list(volume_level order by lower_bound) as level_names from g_tiers
),
rows as (
    select
        idx,
        creator_id,
        0 as version,
        1 as is_active,
        case
            when u1('va_match', idx) < 0.5 then fan_level
            else pick(level_names, u1('va_level', idx))
        end as level
    from g_base, names
    where u1('va', idx) < 0.9
    union all
    select
        b.idx,
        b.creator_id,
        v.version,
        0 as is_active,
        pick(level_names, u2('va_old_level', b.idx, v.version)) as level
    from g_base as b, names
    cross join (values (1), (2)) as v(version)
    where u1('va_old', b.idx) < 0.33
        and (v.version = 1 or u1('va_old2', b.idx) < 0.4)
),
dated as (
    select
        r.*,
        $as_of - to_seconds(floor(86400 * (
            20 + 200 * r.version + 150 * u2('va_at', r.idx, r.version)))::bigint)
            as assigned_ts
    from rows as r
)
select
    row_number() over (order by d.idx, d.assigned_ts)::bigint as assignment_id,
    d.creator_id,
    d.level as volume_level,
    greatest(1, l.ppv + (floor(3 * u2('va_ppv', d.idx, d.version)) - 1))::bigint
        as ppv_per_day,
    l.bump::bigint as bump_per_day,
    ts_text(d.assigned_ts) as assigned_at,
    pick(['admin', 'scheduler', 'account_manager'], u2('va_by', d.idx, d.version))
        as assigned_by,
    pick(['fan_count_bracket', 'manual_override', 'performance_review'],
         u2('va_reason', d.idx, d.version)) as assigned_reason,
    d.is_active::bigint as is_active,
    case
        when u2('va_note', d.idx, d.version) < 0.7 then null
        when d.is_active = 0 then 'superseded'
        else 'set at onboarding'
    end as notes
from dated as d
join levels as l on l.level = d.level
order by assignment_id

{#- build_info holds exactly one row (SPEC 9); returns the count when it does not. -#}
with

info as (
    select * from {{ ref('build_info') }}
),

counted as (
    select count(*) as info_rows
    from info
)

select *
from counted
where info_rows != 1

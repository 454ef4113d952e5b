{{ config(materialized='view') }}
{#- This build's publication: one history row per creator of volume_config (SPEC 9). -#}
with

configs as (
    select * from {{ ref('int_volume_config') }}
),

published as (
    select
        {{ eros_volume.build_id() }} as build_id,
        {{ eros_volume.as_of() }} as as_of,
        {{ eros_volume.history_value_columns() }}
    from configs
)

select * from published

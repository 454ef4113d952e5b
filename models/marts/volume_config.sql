{{ config(materialized='view') }}
{#- One configuration per creator, active or not (SPEC 7): what analysts and the wrapper read. -#}
with

configs as (
    select * from {{ ref('int_volume_config') }}
)

select * from configs

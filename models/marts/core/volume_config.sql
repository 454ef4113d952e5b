{{ config(materialized='view') }}
{#- One configuration per creator, active or not (SPEC 7): what analysts and the wrapper read. -#}
with

configs as (
    {#- Without the database name: the build file is renamed when it is swapped in. -#}
    select * from {{ ref('int_volume_config').include(database=False) }}
)

select * from configs

{#-
  This build's publication: one history row per creator of volume_config (SPEC 9). A view on
  DuckDB; a table on Spark, whose serving file copies tables and can serve a view only as
  `select *` over its one parent, while this one computes build_id and as_of (docs/spark.md).
-#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
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

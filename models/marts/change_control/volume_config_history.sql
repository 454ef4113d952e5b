{#-
  The published history (SPEC 9): one row per publication and creator. The history of the build
  file this build replaces, carried forward without the publication of the same as_of (this build
  replaces it whole) and without rows older than as_of - history_days days (a row exactly that old
  stays), then this build's publication.
-#}
{{ eros_volume.history_table_config() }}
with

carried as (
    {{ eros_volume.carried_rows('volume_config_history', eros_volume.history_columns()) }}
),

published as (
    select * from {{ ref('int_volume_config__published') }}
),

kept as (
    {{ eros_volume.kept_publications('carried') }}
),

final as (
    select * from kept
    union all
    select * from published
)

select * from final

{{ config(materialized='ephemeral') }}
{#-
  The previous build's volume_config_changes (SPEC 9), as carried into this build: its rows
  (the source previous_build, attached read-only), or no rows of the same columns when there is no
  previous build. Ephemeral: read once, by the models that carry it forward.
-#}
with

carried as (
    {{ eros_volume.carried_rows('volume_config_changes', eros_volume.change_columns()) }}
)

select * from carried

{#-
  The build record (SPEC 9), one row: the build's id (its start, UTC), as_of, the raw source it
  read and its fingerprint, the var overrides it ran with, the versions, and why the published
  history did not carry forward (null when it did).
-#}
{%- set overrides = invocation_args_dict.get('vars') or {} -%}
{%- if overrides is string -%}
    {%- set overrides = fromyaml(overrides) or {} -%}
{%- endif -%}
{#- A PostgreSQL URL's password never reaches the build file. -#}
{%- set raw_source = modules.re.sub(
    '(//[^:/@]*):[^@/]*@', '\\1:***@', env_var('EROS_RAW_DB', '')) -%}
{#- Run-time inputs read only when the model runs (not while dbt parses: saved parse). -#}
{%- set fingerprint = env_var('EROS_RAW_FINGERPRINT', '') if execute else '' -%}
{%- set note = eros_volume.history_note() -%}
with

info as (
    select
        {{ eros_volume.build_id() }} as build_id,
        {{ eros_volume.as_of() }} as as_of,
        {{ eros_volume.string_literal(raw_source or 'demo') }} as raw_source,
        {{ eros_volume.string_literal(fingerprint or none) }} as raw_fingerprint,
        {{ eros_volume.string_literal(tojson(overrides, sort_keys=true)) }} as var_overrides,
        {{ eros_volume.string_literal((env_var('EROS_VOLUME_VERSION', '') if execute) or none) }}
            as eros_volume_version,
        {{ eros_volume.string_literal(dbt_version) }} as dbt_version,
        {{ eros_volume.engine_version() }} as duckdb_version,
        {{ eros_volume.string_literal(note) }} as history_note,
        {{ eros_volume.string_literal((env_var('EROS_SEEDS_FINGERPRINT', '') if execute) or none) }}
            as seeds_fingerprint
)

select * from info

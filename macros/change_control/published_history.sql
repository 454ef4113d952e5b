{#-
  Change control (SPEC 9): the published history a build carries forward from the build file it
  replaces. The CLI names that file in EROS_PREVIOUS_DB (only when it opens as a DuckDB file with
  both tables; otherwise EROS_PREVIOUS_DB_PROBLEM says why not), and the models that read it
  attach it read-only as `previous_build` (source `previous_build`).
-#}

{#- The columns of one publication row, in order: (name, type). -#}
{% macro history_columns() %}
    {{- return([
        ('build_id', 'varchar'),
        ('as_of', 'timestamp'),
        ('creator_id', 'varchar'),
        ('volume_level', 'varchar'),
        ('revenue_items_per_day', 'integer'),
        ('engagement_items_per_day', 'integer'),
        ('retention_items_per_day', 'integer'),
        ('followup_per_day', 'integer'),
        ('bundle_per_week', 'integer'),
        ('game_per_week', 'integer'),
        ('saturation_score', 'double'),
        ('opportunity_score', 'double'),
        ('revenue_trend', 'double'),
        ('data_source', 'varchar'),
        ('tracking_date', 'date'),
        ('data_quality_flags', eros_volume.string_list_type()),
    ]) -}}
{% endmacro %}

{#- The published fields compared between publications (SPEC 9, Changes), in order. -#}
{% macro compared_fields() %}
    {{- return([
        'volume_level',
        'revenue_items_per_day',
        'engagement_items_per_day',
        'retention_items_per_day',
        'followup_per_day',
        'bundle_per_week',
        'game_per_week',
    ]) -}}
{% endmacro %}

{#- The columns of one change row, in order: (name, type). -#}
{% macro change_columns() %}
    {%- set columns = [
        ('build_id', 'varchar'),
        ('as_of', 'timestamp'),
        ('creator_id', 'varchar'),
        ('change_type', 'varchar'),
        ('changed_fields', eros_volume.string_list_type()),
    ] -%}
    {%- set types = {} -%}
    {%- for name, type in eros_volume.history_columns() -%}{%- do types.update({name: type}) -%}{%- endfor -%}
    {%- for field in eros_volume.compared_fields() -%}
        {%- do columns.append(('old_' ~ field, types[field])) -%}
        {%- do columns.append(('new_' ~ field, types[field])) -%}
    {%- endfor -%}
    {%- do columns.append(('old_data_source', 'varchar')) -%}
    {%- do columns.append(('new_data_source', 'varchar')) -%}
    {%- do columns.append(('reason', 'varchar')) -%}
    {{- return(columns) -}}
{% endmacro %}

{#-
  The previous build file, when the CLI named a readable one in EROS_PREVIOUS_DB. Unit tests set
  it to "mock": the models then read the source previous_build, which the tests give as rows.
-#}
{% macro previous_build_path() %}
    {#- Read only when models run: an env var read while parsing would void dbt's saved parse. -#}
    {{- return(env_var('EROS_PREVIOUS_DB', '') if execute and target.name != 'lint' else '') -}}
{% endmacro %}

{#-
  carried_rows(table_name, columns): the rows of the previous build's table (source
  previous_build), or no rows (typed) when there is no previous build. Attaches the previous build
  file read-only first (each model that reads it does, as dbt may reopen its connection between
  models). For an import CTE: `carried as ({{ eros_volume.carried_rows(...) }})`.
-#}
{% macro carried_rows(table_name, columns) %}
    {%- set relation = source('previous_build', table_name) -%}
    {%- set path = eros_volume.previous_build_path() -%}
    {%- if path and path != 'mock' and execute -%}
        {%- do run_query("attach if not exists '" ~ path.replace("'", "''")
            ~ "' as previous_build (read_only)") -%}
    {%- endif %}
    {%- if path %}
    select
        {%- for name, type in columns %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    select
        {%- for name, type in columns %}
        {{ eros_volume.typed_null(type) }} as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif %}
{% endmacro %}

{#- The build's id: its start, UTC, 'YYYY-MM-DDTHH:MM:SSZ'. -#}
{% macro build_id() -%}
    '{{ run_started_at.strftime("%Y-%m-%dT%H:%M:%SZ") }}'
{%- endmacro %}

{#- The oldest as_of a build keeps: as_of - history_days days (a row exactly that old stays). -#}
{% macro history_kept_from() -%}
    {{ eros_volume.add_days(eros_volume.as_of(), -var('history_days')) }}
{%- endmacro %}

{#-
  kept_publications(carried): the carried rows a build keeps, from the CTE `carried` names: those
  with as_of >= as_of - history_days days (pruning; a row exactly that old stays) and not of this
  build's as_of (its publication replaces one of the same as_of whole); none in an incremental
  history table, which already holds them (history_table_config). For a logical CTE:
  `kept as ({{ eros_volume.kept_publications('carried') }})`.
-#}
{% macro kept_publications(carried) %}
    select *
    from {{ carried }}
    where
        {{ eros_volume.kept_publication_condition() }}
        {%- if config.get('materialized') == 'incremental' and is_incremental() %}
        {#- An incremental history table already holds them (history_table_config). #}
        and false
        {%- endif %}
{% endmacro %}

{#- The condition a kept row meets (kept_publications); its negation prunes in place. -#}
{% macro kept_publication_condition() -%}
    as_of >= {{ eros_volume.history_kept_from() }} and as_of != {{ eros_volume.as_of() }}
{%- endmacro %}

{#-
  The history tables (volume_config_history, volume_config_changes) grow in place on DuckDB: a
  build whose previous file has a readable history starts as a copy of it (the CLI copies it), so
  the carried rows are already there. Incremental: delete what is no longer kept, append this
  build's publication, instead of rewriting 180 days of history per build (docs/benchmarks.md).
  Elsewhere (Spark), and on a fresh file, a table: the kept carried rows and the publication.
-#}
{% macro history_table_config() %}
    {%- if target.type == 'duckdb' -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='append',
            on_schema_change='fail',
            pre_hook="{% if is_incremental() %}delete from {{ this }}"
                ~ " where not ({{ eros_volume.kept_publication_condition() }}){% endif %}",
        ) }}
    {%- endif -%}
{% endmacro %}

{#- Why the history did not carry forward (null when it did): one line. -#}
{% macro history_note() %}
    {%- set problem = env_var('EROS_PREVIOUS_DB_PROBLEM', '') if execute else '' -%}
    {%- if eros_volume.previous_build_path() -%}
        {{- return(none) -}}
    {%- elif problem -%}
        {{- return(problem ~ ': the history starts with this build') -}}
    {%- else -%}
        {{- return('no previous build file: the history starts with this build') -}}
    {%- endif -%}
{% endmacro %}

{#- The history columns after build_id and as_of, cast to their types: 'cast(x as t) as x, ...'. -#}
{% macro history_value_columns() -%}
    {%- set columns = [] -%}
    {%- for name, type in eros_volume.history_columns() if name not in ('build_id', 'as_of') -%}
        {%- do columns.append(dbt.cast(name, eros_volume.engine_type(type)) ~ ' as ' ~ name) -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}

{#- old_<field> and new_<field> of each compared field, from two relation prefixes. -#}
{% macro old_new_columns(old_prefix, new_prefix) -%}
    {%- set columns = [] -%}
    {%- for field in eros_volume.compared_fields() -%}
        {%- do columns.append(old_prefix ~ field ~ ' as old_' ~ field) -%}
        {%- do columns.append(new_prefix ~ field ~ ' as new_' ~ field) -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}

{#- The change columns but the reason, by name. -#}
{% macro change_columns_but_reason() -%}
    {%- set columns = [] -%}
    {%- for name, type in eros_volume.change_columns() if name != 'reason' -%}
        {%- do columns.append(name) -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}

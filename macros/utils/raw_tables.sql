{#- Raw tables: the demo seeds, or the attached operational database (EROS_RAW_DB). -#}

{% macro raw_mode() %}
    {{- return(env_var('EROS_RAW_DB', '') != '') -}}
{% endmacro %}

{% macro raw_relation(table_name) %}
    {%- if eros_volume.raw_mode() -%}
        {{- return(source('eros', table_name)) -}}
    {%- else -%}
        {{- return(ref(table_name)) -}}
    {%- endif -%}
{% endmacro %}

{#-
  select_raw(table_name, columns, required_columns, optional_table)
  Selects `columns` (name -> type) from a raw table, each cast with try_cast, so that text from
  SQLite and typed DuckDB columns read the same. A missing column in `required_columns`, or a
  missing table unless `optional_table`, is a compile error naming it; any other missing column
  reads as null; a missing optional table reads as no rows.
-#}
{% macro select_raw(table_name, columns, required_columns=[], optional_table=false) %}
    {%- set relation = eros_volume.raw_relation(table_name) -%}
    {%- set present = none -%}
    {%- if execute and target.name != 'lint' -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
        {%- if found is none and not optional_table -%}
            {{ exceptions.raise_compiler_error(
                "raw database is missing required table " ~ table_name) }}
        {%- endif -%}
        {%- if found is not none -%}
            {%- set present = [] -%}
            {%- for column in adapter.get_columns_in_relation(found) -%}
                {%- do present.append(column.name | lower) -%}
            {%- endfor -%}
            {%- for name in required_columns if name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "raw table " ~ table_name ~ " is missing required column " ~ name) }}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if execute and target.name != 'lint' and present is none %}
    select
        {%- for name, type in columns.items() %}
        {{ eros_volume.typed_null(type) }} as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- else %}
    select
        {%- for name, type in columns.items() %}
        {%- if present is none or name in present %}
        {{ eros_volume.safe_cast(name, type) }} as {{ name }}{{ "," if not loop.last }}
        {%- else %}
        {{ eros_volume.typed_null(type) }} as {{ name }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from {{ relation }}
    {%- endif %}
{% endmacro %}

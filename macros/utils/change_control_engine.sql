{#- Engine-specific SQL of change control (SPEC 9), dispatched like macros/utils/cross_engine.sql. -#}

{#- The type of a list of strings (data_quality_flags, changed_fields). -#}
{% macro string_list_type() %}
    {{- return(adapter.dispatch('string_list_type', 'eros_volume')()) -}}
{% endmacro %}

{% macro default__string_list_type() -%}
    array<string>
{%- endmacro %}

{% macro duckdb__string_list_type() -%}
    varchar[]
{%- endmacro %}

{#- The list holds the string. -#}
{% macro list_has(list_expression, value) %}
    {{- return(adapter.dispatch('list_has', 'eros_volume')(list_expression, value)) -}}
{% endmacro %}

{% macro default__list_has(list_expression, value) -%}
    array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro duckdb__list_has(list_expression, value) -%}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{#- The engine's version string. -#}
{% macro engine_version() %}
    {{- return(adapter.dispatch('engine_version', 'eros_volume')()) -}}
{% endmacro %}

{% macro default__engine_version() -%}
    version()
{%- endmacro %}

{% macro duckdb__engine_version() -%}
    version()
{%- endmacro %}

{#- A Jinja value as a SQL string literal (none: a null string). -#}
{% macro string_literal(value) -%}
    {%- if value is none -%}
        {{ eros_volume.typed_null('varchar') }}
    {%- else -%}
        '{{ (value | string).replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

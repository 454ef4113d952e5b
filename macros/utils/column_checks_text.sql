{#- Columns as one text value: 'a|b' (a row's key, or a duplicated combination). -#}
{% macro column_checks_text(columns) -%}
    {%- set columns = [columns] if columns is string else columns -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
    {%- endfor -%}
    {{ parts | join(" || '|' || ") }}
{%- endmacro %}

{#- Columns as one text value: 'a|b' (a row's key, or a duplicated combination). -#}
{% macro column_checks_text(columns) -%}
    {%- set columns = [columns] if columns is string else columns -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
    {%- endfor -%}
    {{ parts | join(" || '|' || ") }}
{%- endmacro %}

{#-
  The checks of tests/generic/column_checks.sql of one severity, as (name, severity, query)
  tuples; each query selects one `example` per offending row (or duplicated combination). A key
  it does not know (a misspelt check under `warn:`) is an error, not a check left out.
-#}
{% macro column_checks_queries(
    model, key, severity, unique=[], not_null=[], accepted_values={}, expressions=[],
    references={}, row_count=none
) %}
{%- set checks = [] -%}
{%- for columns in unique -%}
    {%- set columns = [columns] if columns is string else columns -%}
    {%- set text = eros_volume.column_checks_text(columns) -%}
    {%- do checks.append((
        'unique ' ~ columns | join(', '), severity,
        'select min(' ~ text ~ ') as example from ' ~ model
        ~ ' where ' ~ columns | join(' is not null and ') ~ ' is not null'
        ~ ' group by ' ~ columns | join(', ') ~ ' having count(*) > 1')) -%}
{%- endfor -%}
{%- for column in not_null -%}
    {%- do checks.append((
        'not_null ' ~ column, severity,
        'select ' ~ key ~ ' as example from ' ~ model ~ ' where ' ~ column ~ ' is null')) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}
        {%- do listed.append(value if value is number else "'" ~ (value | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do checks.append((
        'accepted_values ' ~ column, severity,
        'select ' ~ eros_volume.column_checks_text(column) ~ ' as example from ' ~ model
        ~ ' where ' ~ column ~ ' not in (' ~ listed | join(', ') ~ ')')) -%}
{%- endfor -%}
{%- for expression in expressions -%}
    {%- do checks.append((
        'true: ' ~ expression, severity,
        'select ' ~ key ~ ' as example from ' ~ model
        ~ ' where not coalesce(' ~ expression ~ ', false)')) -%}
{%- endfor -%}
{%- for column, parent in references.items() -%}
    {%- do checks.append((
        'references ' ~ column ~ ' in ' ~ parent.identifier, severity,
        'select ' ~ eros_volume.column_checks_text('child.' ~ column) ~ ' as example from '
        ~ model ~ ' as child where child.' ~ column ~ ' is not null and not exists (select 1 from '
        ~ parent ~ ' as parent where parent.' ~ column ~ ' = child.' ~ column ~ ')')) -%}
{%- endfor -%}
{%- if row_count is not none -%}
    {%- do checks.append((
        'row_count ' ~ row_count, severity,
        'select ' ~ eros_volume.column_checks_text('count(*)') ~ ' as example from ' ~ model
        ~ ' having count(*) != ' ~ row_count)) -%}
{%- endif -%}
{{- return(checks) -}}
{% endmacro %}

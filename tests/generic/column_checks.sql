{#-
  Every column rule of one model as one data test (one dbt node instead of one per column and
  rule: dbt's cost per node, not the query, is what a refresh pays; docs/benchmarks.md):
    unique:          [column or [columns]]  the first entry is the key shown as `example`
    not_null:        [column]
    accepted_values: {column: [values]}     null passes, as in dbt's accepted_values
    expressions:     [SQL boolean]          must be true on every row (null fails)
    references:      {column: ref('model')} every non-null value is in that model's column of
                                            the same name (dbt's relationships test)
    row_count:       N                      the model has exactly N rows (example: the count)
  One row per failed check: the check, how many rows fail it and one example (the offending
  value, or the key of an offending row).
-#}
{% test column_checks(
    model, unique=[], not_null=[], accepted_values={}, expressions=[], references={}, row_count=none
) %}
{%- set key = eros_volume.column_checks_text(unique[0]) if unique else 'null' -%}
{%- set checks = [] -%}
{%- for columns in unique -%}
    {%- set columns = [columns] if columns is string else columns -%}
    {%- set text = eros_volume.column_checks_text(columns) -%}
    {%- do checks.append((
        'unique ' ~ columns | join(', '),
        'select min(' ~ text ~ ') as example from ' ~ model
        ~ ' where ' ~ columns | join(' is not null and ') ~ ' is not null'
        ~ ' group by ' ~ columns | join(', ') ~ ' having count(*) > 1')) -%}
{%- endfor -%}
{%- for column in not_null -%}
    {%- do checks.append((
        'not_null ' ~ column,
        'select ' ~ key ~ ' as example from ' ~ model ~ ' where ' ~ column ~ ' is null')) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}
        {%- do listed.append(value if value is number else "'" ~ (value | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do checks.append((
        'accepted_values ' ~ column,
        'select ' ~ eros_volume.column_checks_text(column) ~ ' as example from ' ~ model
        ~ ' where ' ~ column ~ ' not in (' ~ listed | join(', ') ~ ')')) -%}
{%- endfor -%}
{%- for expression in expressions -%}
    {%- do checks.append((
        'true: ' ~ expression,
        'select ' ~ key ~ ' as example from ' ~ model
        ~ ' where not coalesce(' ~ expression ~ ', false)')) -%}
{%- endfor -%}
{%- for column, parent in references.items() -%}
    {%- do checks.append((
        'references ' ~ column ~ ' in ' ~ parent.identifier,
        'select ' ~ eros_volume.column_checks_text('child.' ~ column) ~ ' as example from '
        ~ model ~ ' as child where child.' ~ column ~ ' is not null and not exists (select 1 from '
        ~ parent ~ ' as parent where parent.' ~ column ~ ' = child.' ~ column ~ ')')) -%}
{%- endfor -%}
{%- if row_count is not none -%}
    {%- do checks.append((
        'row_count ' ~ row_count,
        'select ' ~ eros_volume.column_checks_text('count(*)') ~ ' as example from ' ~ model
        ~ ' having count(*) != ' ~ row_count)) -%}
{%- endif -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ " lists no check") }}
{%- endif -%}
{%- for name, failing in checks %}
select
    '{{ name | replace("'", "''") }}' as failed_check,
    count(*) as failing_rows,
    min(example) as example
from ({{ failing }}) as failing
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}

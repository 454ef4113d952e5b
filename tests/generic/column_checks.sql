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
    warn:            {the same keys}        checks that only warn
  One row per failed check: the check, how many rows fail it, one example (the offending value,
  or the key of an offending row) and its severity. The test fails when an error check fails
  ("Got N results": N error checks failed) and warns when only warn checks fail (N is then minus
  the number of warn checks that failed: dbt compares one number to warn_if and error_if).
-#}
{% test column_checks(
    model, unique=[], not_null=[], accepted_values={}, expressions=[], references={},
    row_count=none, warn={}
) %}
{{ config(
    fail_calc="case when count(*) filter (where severity = 'error') > 0"
        ~ " then count(*) filter (where severity = 'error') else -count(*) end",
    warn_if="<0",
    error_if=">0",
) }}
{%- set key = eros_volume.column_checks_text(unique[0]) if unique else 'null' -%}
{%- set checks = eros_volume.column_checks_queries(
    model, key, 'error', unique=unique, not_null=not_null, accepted_values=accepted_values,
    expressions=expressions, references=references, row_count=row_count) -%}
{%- do checks.extend(eros_volume.column_checks_queries(model, key, 'warn', **warn)) -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ " lists no check") }}
{%- endif -%}
{%- for name, severity, failing in checks %}
select
    '{{ name | replace("'", "''") }}' as failed_check,
    count(*) as failing_rows,
    min(example) as example,
    '{{ severity }}' as severity
from ({{ failing }}) as failing
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}

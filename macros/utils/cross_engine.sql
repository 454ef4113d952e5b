{#- Engine-specific SQL, dispatched so another engine needs only new variants. -#}

{% macro safe_cast(expression, type) %}
    {{- return(adapter.dispatch('safe_cast', 'eros_volume')(expression, type)) -}}
{% endmacro %}

{% macro default__safe_cast(expression, type) -%}
    cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro duckdb__safe_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(expression, type) -%}
    try_cast({{ expression }} as {{ eros_volume.engine_type(type) }})
{%- endmacro %}

{% macro typed_null(type) -%}
    cast(null as {{ eros_volume.engine_type(type) }})
{%- endmacro %}

{#- A type name of the models ('varchar', 'integer'...) in the engine's spelling. -#}
{% macro engine_type(type) %}
    {{- return(adapter.dispatch('engine_type', 'eros_volume')(type)) -}}
{% endmacro %}

{% macro default__engine_type(type) -%}
    {{- return(type) -}}
{%- endmacro %}

{% macro spark__engine_type(type) -%}
    {{- return('string' if type | lower == 'varchar' else type) -}}
{%- endmacro %}

{#- A sorted list of the names whose condition holds; empty when none. -#}
{% macro flag_list(flags) %}
    {{- return(adapter.dispatch('flag_list', 'eros_volume')(flags)) -}}
{% endmacro %}

{% macro default__flag_list(flags) -%}
    array_sort(filter(array(
        {%- for name, condition in flags %}
        case when {{ condition }} then '{{ name }}' end{{ "," if not loop.last }}
        {%- endfor %}
    ), x -> x is not null))
{%- endmacro %}

{% macro duckdb__flag_list(flags) -%}
    list_sort(list_distinct([
        {%- for name, condition in flags %}
        case when {{ condition }} then '{{ name }}' end{{ "," if not loop.last }}
        {%- endfor %}
    ]))
{%- endmacro %}

{#- Flags joined for display: 'a, b'. -#}
{% macro flag_text(flag_list_expression) %}
    {{- return(adapter.dispatch('flag_text', 'eros_volume')(flag_list_expression)) -}}
{% endmacro %}

{% macro default__flag_text(flag_list_expression) -%}
    array_join({{ flag_list_expression }}, ', ')
{%- endmacro %}

{% macro duckdb__flag_text(flag_list_expression) -%}
    array_to_string({{ flag_list_expression }}, ', ')
{%- endmacro %}

{#- An integer with thousands separators: 12434 -> '12,434'. -#}
{% macro format_thousands(expression) %}
    {{- return(adapter.dispatch('format_thousands', 'eros_volume')(expression)) -}}
{% endmacro %}

{% macro default__format_thousands(expression) -%}
    format_number({{ expression }}, 0)
{%- endmacro %}

{% macro duckdb__format_thousands(expression) -%}
    format('{:,}', {{ expression }})
{%- endmacro %}

{#-
  A number as text without a float's noise: 45 -> '45.0', 0.9 -> '0.9'. Adding 0.0 turns a
  negative zero into zero (IEEE: -0 + 0 = +0), so -0.004 prints '0.0' on every engine: DuckDB's
  round keeps the sign ('-0.0'), Spark's does not.
-#}
{% macro format_number(expression, decimals=2) -%}
    {{ dbt.cast('(round(' ~ dbt.cast(expression, 'double') ~ ', ' ~ decimals ~ ') + 0.0)', dbt.type_string()) }}
{%- endmacro %}

{% macro flag_count(flag_list_expression) %}
    {{- return(adapter.dispatch('flag_count', 'eros_volume')(flag_list_expression)) -}}
{% endmacro %}

{% macro default__flag_count(flag_list_expression) -%}
    size({{ flag_list_expression }})
{%- endmacro %}

{% macro duckdb__flag_count(flag_list_expression) -%}
    len({{ flag_list_expression }})
{%- endmacro %}

{#- Whole days from one date to another (later minus earlier). -#}
{% macro days_between(start_date, end_date) %}
    {{- return(adapter.dispatch('days_between', 'eros_volume')(start_date, end_date)) -}}
{% endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}

{#- A timestamp or date moved by a whole number of days. -#}
{% macro add_days(expression, days) %}
    {{- return(adapter.dispatch('add_days', 'eros_volume')(expression, days)) -}}
{% endmacro %}

{% macro default__add_days(expression, days) -%}
    {{ dbt.dateadd('day', days, expression) }}
{%- endmacro %}

{% macro duckdb__add_days(expression, days) -%}
    ({{ expression }} + to_days({{ days }}))
{%- endmacro %}

{#- True for a finite number (not NaN, inf or -inf). -#}
{% macro is_finite(expression) %}
    {{- return(adapter.dispatch('is_finite', 'eros_volume')(expression)) -}}
{% endmacro %}

{% macro default__is_finite(expression) -%}
    (not isnan({{ expression }}) and abs({{ expression }}) != double('infinity'))
{%- endmacro %}

{% macro duckdb__is_finite(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

{#- True when the whole text matches the regular expression (no anchors needed). -#}
{% macro matches_pattern(expression, pattern) %}
    {{- return(adapter.dispatch('matches_pattern', 'eros_volume')(expression, pattern)) -}}
{% endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__matches_pattern(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- A bigint, as DuckDB's date difference. -#}
{% macro spark__days_between(start_date, end_date) -%}
    cast(datediff({{ end_date }}, {{ start_date }}) as bigint)
{%- endmacro %}

{#- Spark's date_add returns a date: a timestamp keeps its time (as DuckDB's date + interval). -#}
{% macro spark__add_days(expression, days) -%}
    timestampadd(day, {{ days }}, {{ expression }})
{%- endmacro %}

{#- SQL run after a table is built so point lookups on the column its `meta.lookup_index` names
    are cheap; none where the engine has no indexes (Spark: the serving DuckDB file loaded from
    the marts is indexed by `eros-volume build --engine spark`, from the same meta). -#}
{% macro lookup_index(relation) %}
    {%- set meta = config.get('meta') -%}
    {%- set column = meta.get('lookup_index') if meta is mapping else none -%}
    {%- if column is none -%}{{ return('') }}{%- endif -%}
    {{- return(adapter.dispatch('lookup_index', 'eros_volume')(relation, column)) -}}
{% endmacro %}

{% macro default__lookup_index(relation, column) -%}
    create unique index if not exists {{ relation.identifier }}__{{ column }}
    on {{ relation }} ({{ column }})
{%- endmacro %}

{% macro spark__lookup_index(relation, column) -%}
{%- endmacro %}

{#-
  SQL that makes the tables written next cheaper to write, at some file size (on), or undoes it
  (off). DuckDB: no dictionary / FSST string compression, whose analysis of every string segment
  was ~30 % of the CPU of writing a 2M-row message window (the window's table: 67 MB -> 113 MB).
  A global setting: a table another thread writes meanwhile is only stored less compactly. None on
  other engines.
-#}
{% macro light_compression(on) %}
    {{- return(adapter.dispatch('light_compression', 'eros_volume')(on)) -}}
{% endmacro %}

{% macro default__light_compression(on) -%}
{%- endmacro %}

{% macro duckdb__light_compression(on) -%}
    {%- if on -%}
        set disabled_compression_methods = 'fsst,dictionary'
    {%- else -%}
        reset disabled_compression_methods
    {%- endif -%}
{%- endmacro %}

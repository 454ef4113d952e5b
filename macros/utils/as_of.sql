{#- The moment the configuration is for (SPEC 5), and the tracking job's days (SPEC 6). -#}

{% macro parse_timestamp_var(name, value) %}
    {%- set text = (value | string) | trim -%}
    {%- for fmt in ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d'] -%}
        {%- set parsed = eros_volume.try_strptime(text, fmt) -%}
        {%- if parsed is not none -%}
            {{- return(parsed) -}}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ " is not a timestamp 'YYYY-MM-DD HH:MM:SS': " ~ text) }}
{% endmacro %}

{% macro try_strptime(text, fmt) %}
    {%- set parts = text.replace('T', ' ').replace(':', ' ').replace('-', ' ').split(' ') -%}
    {%- set want = 6 if '%H' in fmt else 3 -%}
    {%- if parts | length != want -%}{{ return(none) }}{%- endif -%}
    {%- for part in parts if not part.isdigit() -%}{{ return(none) }}{%- endfor -%}
    {%- if ('T' in text) != ('T' in fmt) -%}{{ return(none) }}{%- endif -%}
    {{- return(modules.datetime.datetime.strptime(text, fmt)) -}}
{% endmacro %}

{#-
  as_of: the var when given (--vars, unit tests), else EROS_AS_OF (how the CLI passes --as-of:
  read only when nodes run, so a new as_of keeps dbt's saved parse valid), else now / demo_as_of.
-#}
{% macro as_of_datetime() %}
    {%- set value = var('as_of') -%}
    {%- if execute and eros_volume.is_unset(value) -%}
        {%- set value = env_var('EROS_AS_OF', '') -%}
    {%- endif -%}
    {%- if eros_volume.is_unset(value) -%}
        {%- if eros_volume.raw_mode() -%}
            {%- set zone = modules.pytz.timezone(var('raw_timezone')) -%}
            {%- set now = run_started_at.astimezone(zone).replace(tzinfo=none, microsecond=0) -%}
            {{- return(now) -}}
        {%- endif -%}
        {%- set value = var('demo_as_of') -%}
    {%- endif -%}
    {{- return(eros_volume.parse_timestamp_var('as_of', value)) -}}
{% endmacro %}

{% macro is_unset(value) %}
    {{- return(value is none or (value | string | trim) in ['', 'None', 'null']) -}}
{% endmacro %}

{#- as_of as a SQL timestamp literal. -#}
{% macro as_of() -%}
    {{ eros_volume.timestamp_literal(eros_volume.as_of_datetime().strftime('%Y-%m-%d %H:%M:%S')) }}
{%- endmacro %}

{% macro timestamp_literal(text) -%}
    cast('{{ text }}' as timestamp)
{%- endmacro %}

{% macro date_literal(text) -%}
    cast('{{ text }}' as date)
{%- endmacro %}

{#- date(as_of) as a SQL date literal. -#}
{% macro as_of_date() -%}
    {{ eros_volume.date_literal(eros_volume.as_of_datetime().strftime('%Y-%m-%d')) }}
{%- endmacro %}

{#-
  The moments the window scores are computed for: as_of, and each day of the tracking range
  [tracking_from, tracking_to] at its last second (as_of itself on the day of as_of).
  Returns ('YYYY-MM-DD HH:MM:SS', is_tracking_day) pairs, oldest first. Without a range the
  tracking day is the day of as_of.
-#}
{% macro score_points() %}
    {%- set as_of = eros_volume.as_of_datetime() -%}
    {%- set first = var('tracking_from') -%}
    {%- set last = var('tracking_to') -%}
    {%- set as_of_text = as_of.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- set points = [] -%}
    {%- if first is none and last is none -%}
        {%- do points.append((as_of_text, true)) -%}
    {%- else -%}
        {%- set first_day = eros_volume.parse_timestamp_var('tracking_from', first or last).date() -%}
        {%- set last_day = eros_volume.parse_timestamp_var('tracking_to', last or first).date() -%}
        {%- if last_day < first_day -%}
            {{ exceptions.raise_compiler_error("tracking_to is before tracking_from") }}
        {%- endif -%}
        {%- if last_day > as_of.date() -%}
            {{ exceptions.raise_compiler_error(
                "tracking_to " ~ last_day ~ " is after the day of as_of " ~ as_of.date()) }}
        {%- endif -%}
        {%- for offset in range((last_day - first_day).days + 1) -%}
            {%- set day = first_day + modules.datetime.timedelta(days=offset) -%}
            {%- if day != as_of.date() -%}
                {%- do points.append((day.strftime('%Y-%m-%d') ~ ' 23:59:59', true)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do points.append((as_of_text, first_day <= as_of.date() <= last_day)) -%}
    {%- endif -%}
    {{- return(points | sort) -}}
{% endmacro %}

{#- The earliest moment any model needs messages from. -#}
{% macro messages_needed_from() %}
    {%- set first = modules.datetime.datetime.strptime(
        eros_volume.score_points()[0][0], '%Y-%m-%d %H:%M:%S') -%}
    {%- set days = [2 * var('score_window_days'), var('analytics_summary_days')] | max -%}
    {{- return((first - modules.datetime.timedelta(days=days)).strftime('%Y-%m-%d %H:%M:%S')) -}}
{% endmacro %}

{#- The day before messages_needed_from, as 'YYYY-MM-DD' (a coarse, text-comparable bound). -#}
{% macro messages_needed_from_day() %}
    {%- set first = modules.datetime.datetime.strptime(
        eros_volume.messages_needed_from(), '%Y-%m-%d %H:%M:%S') -%}
    {{- return((first - modules.datetime.timedelta(days=1)).strftime('%Y-%m-%d')) -}}
{% endmacro %}

{#- score_points() as rows (score_at, is_tracking_day). -#}
{% macro score_points_select() -%}
    {%- for score_at, is_tracking_day in eros_volume.score_points() -%}
    select
        {{ eros_volume.timestamp_literal(score_at) }} as score_at,
        {{ is_tracking_day }} as is_tracking_day
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- The day before the oldest tracking row any model needs, as 'YYYY-MM-DD'. -#}
{% macro tracking_needed_from_day() %}
    {%- set days = var('monitor_history_days') + 1 -%}
    {%- set first = eros_volume.as_of_datetime() - modules.datetime.timedelta(days=days) -%}
    {{- return(first.strftime('%Y-%m-%d')) -}}
{% endmacro %}

{#-
  The stability rule (SPEC 9), opt-in: vars stability_tier_buffer_pct (b) and stability_max_step
  (k), both null by default, and then these macros leave every value exactly as sections 2-7 give.
-#}

{#- Whether the tier buffer is on. -#}
{% macro tier_buffer_on() %}
    {{- return(var('stability_tier_buffer_pct') is not none) -}}
{% endmacro %}

{#- Whether the step limit is on. -#}
{% macro step_limit_on() %}
    {{- return(var('stability_max_step') is not none) -}}
{% endmacro %}

{#-
  The fan count is at or beyond a tier boundary moved by the buffer, exactly (decimals):
  direction 'up': fans >= boundary * (1 + b/100); 'down': fans >= boundary * (1 - b/100) (the
  boundary is not crossed going down).
-#}
{% macro fans_at_buffered_boundary(fan_count, boundary, direction) -%}
    {%- set sign = '+' if direction == 'up' else '-' -%}
    {{ dbt.cast(fan_count, 'decimal(38, 6)') }} * 100
    >= {{ dbt.cast(boundary, 'decimal(38, 6)') }}
    * (100 {{ sign }} {{ dbt.cast(var('stability_tier_buffer_pct'), 'decimal(38, 6)') }})
{%- endmacro %}

{#-
  The published tier rank: the previous publication's, moved across every crossed boundary, i.e.
  at least the highest rank reachable going up and at most the highest rank kept going down.
  No previous publication (null): the fan-count rank.
-#}
{% macro buffered_tier_rank(previous_rank, up_rank, down_rank, fan_count_rank) -%}
    case
        when {{ previous_rank }} is null then {{ fan_count_rank }}
        when {{ previous_rank }} < {{ up_rank }} then {{ up_rank }}
        when {{ previous_rank }} > {{ down_rank }} then {{ down_rank }}
        else {{ previous_rank }}
    end
{%- endmacro %}

{#-
  An item limited to previous +- k * days (days since the previous publication); the target
  itself when the step limit is off or there is no previous publication. The caller caps it again.
-#}
{% macro step_limited(target, previous, days) -%}
    {%- if eros_volume.step_limit_on() -%}
    case
        when {{ previous }} is null then {{ target }}
        else {{ eros_volume.clamp(
            target,
            previous ~ ' - ' ~ var('stability_max_step') ~ ' * ' ~ days,
            previous ~ ' + ' ~ var('stability_max_step') ~ ' * ' ~ days) }}
    end
    {%- else -%}
    {{ target }}
    {%- endif -%}
{%- endmacro %}

{#-
  The tiers of a volume_tiers relation in fan-count order (a select for a CTE): a tier's lower
  bound is its lowest min_fans and it ends where the next tier starts; tier_rank 1 is the lowest.
-#}
{% macro tier_ranges(tiers) -%}
    select
        volume_level,
        tier_min_fans,
        lead(tier_min_fans) over (order by tier_min_fans) as next_tier_min_fans,
        row_number() over (order by tier_min_fans) = 1 as is_lowest_tier,
        row_number() over (order by tier_min_fans) as tier_rank
    from (
        select
            volume_level,
            min(min_fans) as tier_min_fans
        from {{ tiers }}
        group by volume_level
    ) as tier_bounds
{%- endmacro %}

{#- Some published item differs from the value the rules give without the step limit. -#}
{% macro step_limited_condition() -%}
    (revenue_items_per_day != revenue_target
    or engagement_items_per_day != engagement_target
    or retention_items_per_day != retention_target)
{%- endmacro %}

{#-
  '; revenue 5, limited from 7 by the 1/day step (2 days since 2025-12-14)' for each item the step
  limit moved (volume_explanation, when the step limit is on).
-#}
{% macro step_limit_explanation() -%}
    {%- set parts = [] -%}
    {%- for item in ['revenue', 'engagement', 'retention'] -%}
        {%- do parts.append(
            "case when " ~ item ~ "_items_per_day != " ~ item ~ "_target then '; " ~ item ~ " ' || "
            ~ dbt.cast(item ~ '_items_per_day', dbt.type_string()) ~ " || ', limited from ' || "
            ~ dbt.cast(item ~ '_target', dbt.type_string())
            ~ " || ' by the " ~ var('stability_max_step') ~ "/day step over ' || "
            ~ dbt.cast('days_since_previous', dbt.type_string())
            ~ " || ' day(s) since the previous publication' else '' end") -%}
    {%- endfor -%}
    {{ parts | join('\n    || ') }}
{%- endmacro %}

{#-
  The previous publication's three items and its age in days, from the relation `previous`
  (int_volume_config__previous) when the step limit is on, else typed nulls.
-#}
{% macro previous_items(previous) -%}
    {%- set columns = [
        'previous_revenue_items_per_day', 'previous_engagement_items_per_day',
        'previous_retention_items_per_day', 'days_since_previous',
    ] -%}
    {%- set items = [] -%}
    {%- for column in columns -%}
        {%- if eros_volume.step_limit_on() -%}
            {%- do items.append(previous ~ '.' ~ column) -%}
        {%- else -%}
            {%- do items.append(eros_volume.typed_null('integer') ~ ' as ' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ items | join(',\n        ') }}
{%- endmacro %}

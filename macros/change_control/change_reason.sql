{#-
  The compared fields that differ between the previous publication (old_<field>) and this one
  (new_<field>), as flag_list conditions.
-#}
{% macro changed_field_conditions() %}
    {%- set conditions = [] -%}
    {%- for field in eros_volume.compared_fields() -%}
        {%- do conditions.append((field, 'old_' ~ field ~ ' != new_' ~ field)) -%}
    {%- endfor -%}
    {{- return(conditions) -}}
{% endmacro %}

{#- A step as text with its sign: +1, 0, -1. -#}
{% macro signed_text(expression) -%}
    case when {{ expression }} > 0 then '+' else '' end
    || {{ dbt.cast(expression, dbt.type_string()) }}
{%- endmacro %}

{#- 'field old -> new' when it moved, else null. -#}
{% macro moved_text(field) -%}
    case
        when old_{{ field }} != new_{{ field }}
            then '{{ field }} ' || {{ dbt.cast('old_' ~ field, dbt.type_string()) }} || ' -> '
            || {{ dbt.cast('new_' ~ field, dbt.type_string()) }}
    end
{%- endmacro %}

{#- 'item at its cap N' when the item moved onto one of its cap bounds, else null. -#}
{% macro cap_text(field, low, high) -%}
    case
        when old_{{ field }} != new_{{ field }} and new_{{ field }} in ({{ low }}, {{ high }})
            then '{{ field }} at its cap ' || {{ dbt.cast('new_' ~ field, dbt.type_string()) }}
    end
{%- endmacro %}

{#-
  One sentence on a change row (SPEC 9): what moved, then why: the tier, a multiplier band, the
  trend step, a cap, the data source, the stability rule. Expects the columns old_<field> /
  new_<field> of the compared fields and of the scores, trend and data source, new_data_quality_flags
  and change_type. Bands and steps of the old scores are read with this build's rule vars.
-#}
{% macro change_reason() -%}
    {%- set n = eros_volume.format_number -%}
    case
        when change_type = 'new'
            then 'new to the history: ' || new_volume_level || ' '
            || {{ dbt.cast('new_revenue_items_per_day', dbt.type_string()) }} || '/'
            || {{ dbt.cast('new_engagement_items_per_day', dbt.type_string()) }} || '/'
            || {{ dbt.cast('new_retention_items_per_day', dbt.type_string()) }} || ' per day'
        else concat_ws(
            ', ',
            {%- for field in eros_volume.compared_fields() %}
            {{ eros_volume.moved_text(field) }}{{ "," if not loop.last }}
            {%- endfor %}
        ) || ': ' || coalesce(nullif(concat_ws(
            '; ',
            case
                when old_volume_level != new_volume_level
                    then 'tier ' || old_volume_level || ' -> ' || new_volume_level
            end,
            case
                when {{ eros_volume.list_has('new_data_quality_flags', "'stability_held_level'") }}
                    then 'stability rule: held at ' || new_volume_level
            end,
            case
                when {{ eros_volume.saturation_band('old_saturation_score') }}
                    != {{ eros_volume.saturation_band('new_saturation_score') }}
                    then 'saturation ' || {{ n('old_saturation_score') }} || ' -> '
                    || {{ n('new_saturation_score') }} || ' (x'
                    || {{ n(eros_volume.saturation_multiplier('old_saturation_score')) }} || ' -> x'
                    || {{ n(eros_volume.saturation_multiplier('new_saturation_score')) }} || ')'
            end,
            case
                when {{ eros_volume.opportunity_band('old_opportunity_score', 'old_saturation_score') }}
                    != {{ eros_volume.opportunity_band('new_opportunity_score', 'new_saturation_score') }}
                    then 'opportunity ' || {{ n('old_opportunity_score') }} || ' -> '
                    || {{ n('new_opportunity_score') }} || ' (x'
                    || {{ n(eros_volume.opportunity_multiplier(
                        'old_opportunity_score', 'old_saturation_score')) }} || ' -> x'
                    || {{ n(eros_volume.opportunity_multiplier(
                        'new_opportunity_score', 'new_saturation_score')) }} || ')'
            end,
            case
                when {{ eros_volume.trend_adjustment('old_revenue_trend') }}
                    != {{ eros_volume.trend_adjustment('new_revenue_trend') }}
                    then 'trend step '
                    || {{ eros_volume.signed_text(eros_volume.trend_adjustment('old_revenue_trend')) }}
                    || ' -> '
                    || {{ eros_volume.signed_text(eros_volume.trend_adjustment('new_revenue_trend')) }}
                    || ' (trend ' || {{ n('old_revenue_trend') }} || ' % -> '
                    || {{ n('new_revenue_trend') }} || ' %)'
            end,
            {{ eros_volume.cap_text('revenue_items_per_day', var('revenue_min'), var('revenue_max')) }},
            {{ eros_volume.cap_text(
                'engagement_items_per_day', var('engagement_min'), var('engagement_max')) }},
            {{ eros_volume.cap_text(
                'retention_items_per_day', var('retention_min'), var('retention_max')) }},
            case
                when old_data_source != new_data_source
                    then 'data source ' || old_data_source || ' -> ' || new_data_source
            end,
            case
                when {{ eros_volume.list_has('new_data_quality_flags', "'stability_step_limited'") }}
                    then 'stability rule: limited by the step limit'
            end
        ), ''), 'the base volumes moved (fan-count sub-bracket or rule settings)')
    end || '.'
{%- endmacro %}

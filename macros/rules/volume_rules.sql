{#- The arithmetic of SPEC sections 2-4. Thresholds and multipliers come from vars. -#}

{#- Exact half-up rounding to an integer (2.5 -> 3, 4.5 -> 5, 2.45 -> 2). -#}
{% macro round_half_up(expression) -%}
    {{ dbt.cast('floor(' ~ dbt.cast(expression, 'decimal(18, 6)') ~ ' + 0.5)', 'integer') }}
{%- endmacro %}

{% macro clamp(expression, low, high) -%}
    least(greatest({{ expression }}, {{ low }}), {{ high }})
{%- endmacro %}

{#- high (> 70), medium (50-70) or low (< 50). -#}
{% macro saturation_band(saturation) -%}
    case
        when {{ saturation }} > {{ var('saturation_high_above') }} then 'high'
        when {{ saturation }} >= {{ var('saturation_medium_from') }} then 'medium'
        else 'low'
    end
{%- endmacro %}

{% macro saturation_multiplier(saturation) -%}
    case {{ eros_volume.saturation_band(saturation) }}
        when 'high' then {{ var('saturation_high_multiplier') }}
        when 'medium' then {{ var('saturation_medium_multiplier') }}
        else 1.0
    end
{%- endmacro %}

{#- high (> 70 with saturation < 50), medium (60-70 with saturation < 30) or none. -#}
{% macro opportunity_band(opportunity, saturation) -%}
    case
        when {{ opportunity }} > {{ var('opportunity_high_above') }}
            and {{ saturation }} < {{ var('opportunity_high_saturation_below') }} then 'high'
        when {{ opportunity }} >= {{ var('opportunity_medium_from') }}
            and {{ opportunity }} <= {{ var('opportunity_medium_to') }}
            and {{ saturation }} < {{ var('opportunity_medium_saturation_below') }} then 'medium'
        else 'none'
    end
{%- endmacro %}

{% macro opportunity_multiplier(opportunity, saturation) -%}
    case {{ eros_volume.opportunity_band(opportunity, saturation) }}
        when 'high' then {{ var('opportunity_high_multiplier') }}
        when 'medium' then {{ var('opportunity_medium_multiplier') }}
        else 1.0
    end
{%- endmacro %}

{% macro volume_multiplier(saturation, opportunity) -%}
    {{ dbt.cast(eros_volume.saturation_multiplier(saturation), 'decimal(9, 4)') }}
    * {{ dbt.cast(eros_volume.opportunity_multiplier(opportunity, saturation), 'decimal(9, 4)') }}
{%- endmacro %}

{#- Sends after the multiplier, before trend and caps. -#}
{% macro scaled_items(base, volume_multiplier) -%}
    {{ eros_volume.round_half_up(
        dbt.cast(base, 'decimal(18, 6)') ~ '\n    * (' ~ volume_multiplier ~ ')') }}
{%- endmacro %}

{#- -1 below -15 %, +1 above 15 %, else 0 (revenue items only). -#}
{% macro trend_adjustment(revenue_trend) -%}
    case
        when {{ revenue_trend }} < -{{ var('trend_threshold_pct') }} then -{{ var('trend_step') }}
        when {{ revenue_trend }} > {{ var('trend_threshold_pct') }} then {{ var('trend_step') }}
        else 0
    end
{%- endmacro %}

{#- Revenue items before the cap: scaled, then moved by the trend. -#}
{% macro revenue_items_uncapped(base, volume_multiplier, revenue_trend) -%}
    {{ eros_volume.scaled_items(base, volume_multiplier) }}
    + {{ eros_volume.trend_adjustment(revenue_trend) }}
{%- endmacro %}

{#- Revenue items per day (SPEC 3-4): scaled by the multiplier, moved by the trend, capped. -#}
{% macro revenue_items_per_day(base, volume_multiplier, revenue_trend) -%}
    {{ eros_volume.cap_revenue(
        eros_volume.revenue_items_uncapped(base, volume_multiplier, revenue_trend)) }}
{%- endmacro %}

{% macro cap_revenue(expression) -%}
    {{ eros_volume.clamp(expression, var('revenue_min'), var('revenue_max')) }}
{%- endmacro %}

{% macro cap_engagement(expression) -%}
    {{ eros_volume.clamp(expression, var('engagement_min'), var('engagement_max')) }}
{%- endmacro %}

{#- Free pages send no retention items (SPEC 2): the one place of that rule. -#}
{% macro retention_forced_to_zero(page_type) -%}
    ({{ page_type }} = 'free')
{%- endmacro %}

{#- Retention: 0-4, and always 0 on free pages. -#}
{% macro cap_retention(expression, page_type) -%}
    case
        when {{ eros_volume.retention_forced_to_zero(page_type) }} then 0
        else {{ eros_volume.clamp(expression, var('retention_min'), var('retention_max')) }}
    end
{%- endmacro %}

{#- A score into 0-100. -#}
{% macro clamp_score(expression) -%}
    {{ eros_volume.clamp(expression, var('score_min'), var('score_max')) }}
{%- endmacro %}

{% macro score_out_of_range(expression) -%}
    ({{ expression }} < {{ var('score_min') }} or {{ expression }} > {{ var('score_max') }})
{%- endmacro %}

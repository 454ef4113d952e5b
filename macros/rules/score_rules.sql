{#- On-demand scores from mass_messages window metrics (SPEC 6). -#}

{#- Percent change, rounded; null when previous is null or <= 0 (then no points). -#}
{% macro pct_change(current, previous) -%}
    case
        when {{ previous }} > 0
            then round(
                100.0 * ({{ current }} - {{ previous }}) / {{ previous }},
                {{ var('metric_decimals') }}
            )
    end
{%- endmacro %}

{% macro round_metric(expression) -%}
    round({{ expression }}, {{ var('metric_decimals') }})
{%- endmacro %}

{#-
  Arguments are SQL expressions of already rounded metrics: the percent changes (null: no change)
  of revenue per send, view rate and purchase rate, and the volatility.
-#}
{% macro saturation_score(rps_change, view_change, purchase_change, volatility) -%}
    {{ dbt.cast("round(" ~ eros_volume.clamp_score(
        var('score_base')
        ~ ' + case when ' ~ rps_change ~ ' < ' ~ var('saturation_rps_drop_pct')
        ~ ' then ' ~ var('saturation_rps_drop_points') ~ ' else 0 end'
        ~ ' + case when ' ~ view_change ~ ' < ' ~ var('saturation_view_drop_pct')
        ~ ' then ' ~ var('saturation_view_drop_points') ~ ' else 0 end'
        ~ ' + case when ' ~ purchase_change ~ ' < ' ~ var('saturation_purchase_drop_pct')
        ~ ' then ' ~ var('saturation_purchase_drop_points') ~ ' else 0 end'
        ~ ' + case when ' ~ volatility ~ ' > ' ~ var('saturation_volatility_above')
        ~ ' then ' ~ var('saturation_volatility_points') ~ ' else 0 end'
    ) ~ ", " ~ var('score_decimals') ~ ")", 'double') }}
{%- endmacro %}

{% macro opportunity_score(rps_change, view_change, purchase_rate) -%}
    {{ dbt.cast("round(" ~ eros_volume.clamp_score(
        var('score_base')
        ~ ' + case when ' ~ rps_change ~ ' > ' ~ var('opportunity_rps_rise_pct')
        ~ ' then ' ~ var('opportunity_rps_rise_points') ~ ' else 0 end'
        ~ ' + case when ' ~ view_change ~ ' > ' ~ var('opportunity_view_rise_pct')
        ~ ' then ' ~ var('opportunity_view_rise_points') ~ ' else 0 end'
        ~ ' + case when ' ~ purchase_rate ~ ' > ' ~ var('opportunity_purchase_rate_above')
        ~ ' then ' ~ var('opportunity_purchase_rate_points') ~ ' else 0 end'
    ) ~ ", " ~ var('score_decimals') ~ ")", 'double') }}
{%- endmacro %}

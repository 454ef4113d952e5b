{#-
  One plain sentence naming every step of a volume_config row (SPEC 7), the stability rule's
  (SPEC 9) included when it is on. Expects the columns of volume_config's `described` CTE.
-#}
{% macro volume_explanation() -%}
    {%- set n = eros_volume.format_number -%}
    {%- set fans = eros_volume.format_thousands -%}
    volume_level || ' (' || {{ fans('fan_count') }} || ' fans '
    || case
        {%- if eros_volume.tier_buffer_on() %}
        when stability_held_level
            then 'held at ' || volume_level || ' by the {{ var("stability_tier_buffer_pct") }} %'
            || ' tier buffer; the fan count alone gives ' || fan_count_level
        {%- endif %}
        when is_lowest_tier then '< ' || {{ fans('next_tier_min_fans') }}
        else '>= ' || {{ fans('tier_min_fans') }}
    end
    || '): base '
    || {{ dbt.cast('base_revenue_items', dbt.type_string()) }} || '/'
    || {{ dbt.cast('base_engagement_items', dbt.type_string()) }} || '/'
    || {{ dbt.cast('base_retention_items', dbt.type_string()) }}
    || case
        when bracket_min_fans > tier_min_fans
            then ' (from ' || {{ fans('bracket_min_fans') }} || ' fans)'
        else ''
    end
    || '; saturation ' || {{ n('saturation_score') }}
    || case saturation_band
        when 'high' then ' > {{ var("saturation_high_above") }}'
        when 'medium' then ' in {{ var("saturation_medium_from") }}-{{ var("saturation_high_above") }}'
        else ' < {{ var("saturation_medium_from") }}'
    end
    || ' x' || {{ n('saturation_multiplier') }}
    || '; opportunity ' || {{ n('opportunity_score') }}
    || case
        when opportunity_band = 'high'
            then ' > {{ var("opportunity_high_above") }} with saturation < '
            || '{{ var("opportunity_high_saturation_below") }}'
        when opportunity_band = 'medium'
            then ' in {{ var("opportunity_medium_from") }}-{{ var("opportunity_medium_to") }}'
            || ' with saturation < {{ var("opportunity_medium_saturation_below") }}'
        when opportunity_score > {{ var('opportunity_high_above') }}
            then ' (> {{ var("opportunity_high_above") }} needs saturation < '
            || '{{ var("opportunity_high_saturation_below") }})'
        when opportunity_score >= {{ var('opportunity_medium_from') }}
            then ' ({{ var("opportunity_medium_from") }}-{{ var("opportunity_medium_to") }}'
            || ' needs saturation < {{ var("opportunity_medium_saturation_below") }})'
        else ' < {{ var("opportunity_medium_from") }}'
    end
    || ' x' || {{ n('opportunity_multiplier') }}
    || '; trend ' || {{ n('revenue_trend') }} || ' %'
    || case
        when trend_adjustment < 0
            then ' < -{{ var("trend_threshold_pct") }}: revenue ' || {{ dbt.cast('trend_adjustment', dbt.type_string()) }}
        when trend_adjustment > 0
            then ' > {{ var("trend_threshold_pct") }}: revenue +' || {{ dbt.cast('trend_adjustment', dbt.type_string()) }}
        else ' no change'
    end
    || case
        when revenue_uncapped != revenue_target
            then '; revenue ' || {{ dbt.cast('revenue_uncapped', dbt.type_string()) }} || ' capped to '
            || {{ dbt.cast('revenue_target', dbt.type_string()) }}
        else ''
    end
    || case
        when engagement_uncapped != engagement_target
            then '; engagement ' || {{ dbt.cast('engagement_uncapped', dbt.type_string()) }}
            || ' capped to ' || {{ dbt.cast('engagement_target', dbt.type_string()) }}
        else ''
    end
    || case
        when {{ eros_volume.retention_forced_to_zero('page_type') }}
            then '; retention 0 on a free page'
        when retention_uncapped != retention_target
            then '; retention ' || {{ dbt.cast('retention_uncapped', dbt.type_string()) }}
            || ' capped to ' || {{ dbt.cast('retention_target', dbt.type_string()) }}
        else ''
    end
    {%- if eros_volume.step_limit_on() %}
    || {{ eros_volume.step_limit_explanation() }}
    {%- endif %}
    || '; result ' || {{ dbt.cast('revenue_items_per_day', dbt.type_string()) }} || '/'
    || {{ dbt.cast('engagement_items_per_day', dbt.type_string()) }} || '/'
    || {{ dbt.cast('retention_items_per_day', dbt.type_string()) }}
    || ', follow-ups ' || {{ dbt.cast('followup_per_day', dbt.type_string()) }}
    || case data_source
        when 'volume_performance_tracking'
            then '; from volume_performance_tracking of '
            || {{ dbt.cast('tracking_date', dbt.type_string()) }}
        when 'calculated_on_demand'
            then '; from calculated_on_demand on ' || {{ dbt.cast('tracking_date', dbt.type_string()) }}
            || ' (' || {{ dbt.cast('on_demand_messages', dbt.type_string()) }} || ' PPV messages in '
            || '{{ var("score_window_days") }} days)'
        else '; from default_values (no usable tracking row, too few messages)'
    end
    || case
        when messages_ignored > 0
            then '; ' || {{ dbt.cast('messages_ignored', dbt.type_string()) }}
            || case when messages_ignored = 1 then ' message' else ' messages' end
            || ' ignored: ' || messages_ignored_reasons
        else ''
    end
    || case
        when tracking_rows_ignored > 0
            then '; ' || {{ dbt.cast('tracking_rows_ignored', dbt.type_string()) }}
            || case when tracking_rows_ignored = 1 then ' tracking row' else ' tracking rows' end
            || ' ignored: ' || tracking_rows_ignored_reasons
        else ''
    end
    || case
        when {{ eros_volume.flag_count('data_quality_flags') }} > 0
            then '; flags: ' || {{ eros_volume.flag_text('data_quality_flags') }}
        else ''
    end
    || '.'
{%- endmacro %}

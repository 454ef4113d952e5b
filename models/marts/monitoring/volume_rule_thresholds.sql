{#-
  The rule thresholds, multipliers and windows of this build (dbt vars), one row each, so that
  readers such as the monitoring dashboard draw them from the build and hold no rule themselves.
-#}
{%- set thresholds = [
    ('saturation_high_above', 'saturation', 'threshold',
        'saturation above this is high'),
    ('saturation_high_multiplier', 'saturation', 'multiplier',
        'multiplier of high saturation'),
    ('saturation_medium_from', 'saturation', 'threshold',
        'saturation from this up to saturation_high_above is medium'),
    ('saturation_medium_multiplier', 'saturation', 'multiplier',
        'multiplier of medium saturation'),
    ('opportunity_high_above', 'opportunity', 'threshold',
        'opportunity above this is high when saturation is below opportunity_high_saturation_below'),
    ('opportunity_high_saturation_below', 'opportunity', 'threshold',
        'high opportunity needs saturation below this'),
    ('opportunity_high_multiplier', 'opportunity', 'multiplier',
        'multiplier of high opportunity'),
    ('opportunity_medium_from', 'opportunity', 'threshold',
        'opportunity from this up to opportunity_medium_to is medium (with low saturation)'),
    ('opportunity_medium_to', 'opportunity', 'threshold',
        'upper end (inclusive) of medium opportunity'),
    ('opportunity_medium_saturation_below', 'opportunity', 'threshold',
        'medium opportunity needs saturation below this'),
    ('opportunity_medium_multiplier', 'opportunity', 'multiplier',
        'multiplier of medium opportunity'),
    ('trend_threshold_pct', 'trend', 'threshold',
        'a revenue trend beyond plus or minus this percent moves revenue items'),
    ('score_min', 'score', 'bound', 'lowest score'),
    ('score_max', 'score', 'bound', 'highest score'),
    ('tracking_max_age_days', 'tracking', 'window',
        'oldest usable tracking row, in days before the day of as_of'),
    ('monitor_history_days', 'tracking', 'window',
        'days of tracking rows kept for the score history'),
] -%}

with

thresholds as (
    {{ eros_volume.var_rows(thresholds) }}
),

final as (
    select
        threshold_name,
        applies_to,
        threshold_kind,
        threshold_value,
        description
    from thresholds
)

select * from final

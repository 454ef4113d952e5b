{#-
  The rule thresholds, multipliers and windows of this build, one row each, so that readers such
  as the monitoring dashboard draw them from the build and hold no rule themselves. Which vars
  are published, and what they mean, are rows of seeds/rule_thresholds.csv; the values are this
  build's dbt vars (a seed row naming an unknown var fails the build, naming it).
-#}
{%- set names = [] -%}
{%- if execute and target.name != 'lint' and model.resource_type != 'unit_test' -%}
    {%- set names = run_query(
        'select threshold_name from ' ~ ref('rule_thresholds') ~ ' order by threshold_name'
    ).columns[0].values() -%}
{%- endif %}

with

thresholds as (
    select * from {{ ref('rule_thresholds') }}
),

var_values as (
    {{ eros_volume.var_values(names) }}
),

final as (
    select
        thresholds.threshold_name,
        thresholds.applies_to,
        thresholds.threshold_kind,
        var_values.threshold_value,
        thresholds.description
    from thresholds
    left join var_values
        on thresholds.threshold_name = var_values.threshold_name
)

select * from final

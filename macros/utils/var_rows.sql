{#-
  var_rows(rows): one select per dbt var, unioned: columns threshold_name, applies_to,
  threshold_kind, threshold_value (the var's value as a double) and description.
  rows: a list of (var name, applies_to, kind, description) tuples.
-#}
{% macro var_rows(rows) -%}
    {%- for name, applies_to, kind, description in rows %}
    select
        '{{ name }}' as threshold_name,
        '{{ applies_to }}' as applies_to,
        '{{ kind }}' as threshold_kind,
        {{ dbt.cast(var(name), 'double') }} as threshold_value,
        '{{ description }}' as description
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#-
  var_values(names): one row per dbt var named, columns threshold_name and threshold_value (the
  var's value as a double); no rows for an empty list.
-#}
{% macro var_values(names) -%}
    {%- for name in names %}
    select
        '{{ name }}' as threshold_name,
        {{ dbt.cast(var(name), 'double') }} as threshold_value
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        {{ eros_volume.typed_null(dbt.type_string()) }} as threshold_name,
        {{ eros_volume.typed_null('double') }} as threshold_value
    where 1 = 0
    {%- endfor %}
{%- endmacro %}

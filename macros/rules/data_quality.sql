{#-
  Raw values that cannot be used (SPEC 7): each macro gives the reason text, or null when the
  value is usable. `value` is the typed expression, `text` the raw value as text (null = missing,
  which is not a problem of these macros), `name` the raw column named in the reason.
-#}

{#- 'invalid <name>' for a missing or unparseable timestamp or date. -#}
{% macro invalid_timestamp_reason(value, name) -%}
    case when {{ value }} is null then 'invalid {{ name }}' end
{%- endmacro %}

{#- 'invalid <name>' for text that is not an integer, 'negative <name>' below 0. -#}
{% macro invalid_count_reason(value, text, name) -%}
    case
        when {{ text }} is not null and {{ value }} is null then 'invalid {{ name }}'
        when {{ value }} < 0 then 'negative {{ name }}'
    end
{%- endmacro %}

{#-
  'invalid <name>' for text that is not a finite number (NaN, inf), '<name> above <bound_var>'
  above the var's value.
-#}
{% macro invalid_amount_reason(value, text, name, bound_var) -%}
    case
        when
            {{ text }} is not null
            and ({{ value }} is null or not {{ eros_volume.is_finite(value) }})
            then 'invalid {{ name }}'
        when {{ value }} > {{ var(bound_var) }} then '{{ name }} above {{ bound_var }}'
    end
{%- endmacro %}

{#- 'invalid <name>' for a score or percent that is present but not a finite number. -#}
{% macro invalid_number_reason(value, text, name) -%}
    case
        when
            {{ text }} is not null
            and ({{ value }} is null or not {{ eros_volume.is_finite(value) }})
            then 'invalid {{ name }}'
    end
{%- endmacro %}

{#-
  Raw values that cannot be used (SPEC 7): each macro gives the reason text, or null when the
  value is usable. `column` names both the typed column and, with the suffix `_text`, the raw
  value as text (null = missing, which is not a problem for these macros).
-#}

{#- 'invalid <name>' for a missing or unparseable timestamp or date. -#}
{% macro invalid_timestamp_reason(value, name) -%}
    case when {{ value }} is null then 'invalid {{ name }}' end
{%- endmacro %}

{#- 'invalid <column>' for text that is not an integer, 'negative <column>' below 0. -#}
{% macro invalid_count_reason(column) -%}
    case
        when {{ column }}_text is not null and {{ column }} is null then 'invalid {{ column }}'
        when {{ column }} < 0 then 'negative {{ column }}'
    end
{%- endmacro %}

{#- 'invalid <column>' for a present value that is not a finite number (NaN, inf, text). -#}
{% macro invalid_number_reason(column) -%}
    case
        when
            {{ column }}_text is not null
            and ({{ column }} is null or not {{ eros_volume.is_finite(column) }})
            then 'invalid {{ column }}'
    end
{%- endmacro %}

{#- invalid_number_reason, or '<column> above <bound_var>' above that var's value. -#}
{% macro invalid_amount_reason(column, bound_var) -%}
    coalesce(
        {{ eros_volume.invalid_number_reason(column) }},
        case when {{ column }} > {{ var(bound_var) }} then '{{ column }} above {{ bound_var }}' end
    )
{%- endmacro %}

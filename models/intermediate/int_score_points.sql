{#- The moments window scores are computed for: as_of, and each day of the tracking range. -#}
with

points as (
    {%- for point in eros_volume.score_points() %}
    select
        {{ dbt.cast("'" ~ point ~ "'", 'timestamp') }} as score_at
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        score_at,
        {{ dbt.cast('score_at', 'date') }} as tracking_date,
        score_at = {{ eros_volume.as_of() }} as is_as_of
    from points
)

select * from final

{#- The moments window scores are computed for: as_of, and each day of the tracking range. -#}
with

points as (
    {{ eros_volume.score_points_select() }}
),

final as (
    select
        score_at,
        is_tracking_day,
        cast(score_at as date) as tracking_date,
        score_at = {{ eros_volume.as_of() }} as is_as_of
    from points
)

select * from final

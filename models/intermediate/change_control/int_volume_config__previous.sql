{#-
  Each creator's previous publication for this build (SPEC 9): among the carried history rows
  kept after pruning (as_of >= as_of - history_days days), the one with the greatest as_of whose
  day is before the day of this build's as_of. Several builds on one day all compare with the last
  publication of an earlier day, so rebuilding cannot ratchet a value. No row: a new creator.
-#}
with

history as (
    {{ eros_volume.carried_rows('volume_config_history', eros_volume.history_columns()) }}
),

kept as (
    {{ eros_volume.kept_publications('history') }}
),

earlier as (
    select *
    from kept
    where {{ dbt.cast('as_of', 'date') }} < {{ eros_volume.as_of_date() }}
),

latest as (
    select
        creator_id,
        max(as_of) as previous_as_of
    from earlier
    group by creator_id
),

final as (
    select
        earlier.creator_id,
        earlier.build_id as previous_build_id,
        earlier.as_of as previous_as_of,
        {{ eros_volume.days_between(
            dbt.cast('earlier.as_of', 'date'), eros_volume.as_of_date()) }} as days_since_previous,
        earlier.volume_level as previous_volume_level,
        earlier.revenue_items_per_day as previous_revenue_items_per_day,
        earlier.engagement_items_per_day as previous_engagement_items_per_day,
        earlier.retention_items_per_day as previous_retention_items_per_day,
        earlier.followup_per_day as previous_followup_per_day,
        earlier.bundle_per_week as previous_bundle_per_week,
        earlier.game_per_week as previous_game_per_week,
        earlier.saturation_score as previous_saturation_score,
        earlier.opportunity_score as previous_opportunity_score,
        earlier.revenue_trend as previous_revenue_trend,
        earlier.data_source as previous_data_source,
        earlier.data_quality_flags as previous_data_quality_flags
    from earlier
    inner join latest
        on
            earlier.creator_id = latest.creator_id
            and earlier.as_of = latest.previous_as_of
)

select * from final

{{ config(
    meta={'lookup_index': 'creator_id'},
    post_hook=["{{ eros_volume.lookup_index(this) }}"],
) }}
{#-
  One configuration per creator, active or not (SPEC 7); the arithmetic is in macros/rules.
  A table, indexed by creator_id, so a point lookup through the volume_config view is cheap.
-#}
with

base_volumes as (
    select * from {{ ref('int_creator_base_volumes') }}
),

scores as (
    select * from {{ ref('int_creator_scores') }}
),

rejected as (
    select * from {{ ref('int_raw_rows_rejected') }}
),

rejected_reasons as (
    select
        creator_id,
        table_name,
        invalid_reason,
        count(*) as rows_ignored
    from rejected
    group by creator_id, table_name, invalid_reason
),

ignored as (
    select
        creator_id,
        sum(case when table_name = 'mass_messages' then rows_ignored else 0 end)
            as messages_ignored,
        sum(case when table_name = 'volume_performance_tracking' then rows_ignored else 0 end)
            as tracking_rows_ignored,
        {{ dbt.listagg(
            "case when table_name = 'mass_messages' then invalid_reason end",
            "', '", 'order by invalid_reason') }} as messages_ignored_reasons,
        {{ dbt.listagg(
            "case when table_name = 'volume_performance_tracking' then invalid_reason end",
            "', '", 'order by invalid_reason') }} as tracking_rows_ignored_reasons
    from rejected_reasons
    group by creator_id
),

joined as (
    select
        base_volumes.creator_id,
        base_volumes.page_name,
        base_volumes.page_type,
        base_volumes.fan_count,
        base_volumes.is_active,
        base_volumes.fan_count_missing,
        base_volumes.fan_count_negative,
        base_volumes.page_type_unknown,
        base_volumes.creator_id_unsupported,
        {#- bigint on every engine (DuckDB's sum of bigints is a hugeint) -#}
        {{ dbt.cast('coalesce(ignored.messages_ignored, 0)', 'bigint') }} as messages_ignored,
        {{ dbt.cast('coalesce(ignored.tracking_rows_ignored, 0)', 'bigint') }}
            as tracking_rows_ignored,
        ignored.messages_ignored_reasons,
        ignored.tracking_rows_ignored_reasons,
        base_volumes.volume_level,
        base_volumes.tier_min_fans,
        base_volumes.next_tier_min_fans,
        base_volumes.is_lowest_tier,
        base_volumes.bracket_min_fans,
        base_volumes.base_revenue_items,
        base_volumes.base_engagement_items,
        base_volumes.base_retention_items,
        base_volumes.bundle_per_week,
        base_volumes.game_per_week,
        base_volumes.followup_cap,
        base_volumes.fan_count_level,
        base_volumes.stability_held_level,
        base_volumes.previous_revenue_items_per_day,
        base_volumes.previous_engagement_items_per_day,
        base_volumes.previous_retention_items_per_day,
        base_volumes.days_since_previous,
        scores.saturation_score,
        scores.opportunity_score,
        scores.revenue_trend,
        scores.data_source,
        scores.tracking_date,
        scores.on_demand_messages,
        scores.saturation_clamped,
        scores.opportunity_clamped,
        scores.opportunity_missing,
        scores.tracking_in_future
    from base_volumes
    inner join scores
        on base_volumes.creator_id = scores.creator_id
    left join ignored
        on base_volumes.creator_id = ignored.creator_id
),

multiplied as (
    select
        *,
        {{ eros_volume.saturation_band('saturation_score') }} as saturation_band,
        {{ eros_volume.opportunity_band('opportunity_score', 'saturation_score') }}
            as opportunity_band,
        {{ eros_volume.saturation_multiplier('saturation_score') }} as saturation_multiplier,
        {{ eros_volume.opportunity_multiplier('opportunity_score', 'saturation_score') }}
            as opportunity_multiplier,
        {{ eros_volume.volume_multiplier('saturation_score', 'opportunity_score') }}
            as volume_multiplier,
        {{ eros_volume.trend_adjustment('revenue_trend') }} as trend_adjustment
    from joined
),

scaled as (
    select
        *,
        {{ eros_volume.revenue_items_uncapped(
            'base_revenue_items', 'volume_multiplier', 'revenue_trend') }} as revenue_uncapped,
        {{ eros_volume.scaled_items('base_engagement_items', 'volume_multiplier') }}
            as engagement_uncapped,
        {{ eros_volume.scaled_items('base_retention_items', 'volume_multiplier') }}
            as retention_uncapped
    from multiplied
),

capped as (
    select
        *,
        {{ eros_volume.revenue_items_per_day(
            'base_revenue_items', 'volume_multiplier', 'revenue_trend') }} as revenue_target,
        {{ eros_volume.cap_engagement('engagement_uncapped') }} as engagement_target,
        {{ eros_volume.cap_retention('retention_uncapped', 'page_type') }} as retention_target
    from scaled
),

limited as (
    -- The stability rule's step limit (SPEC 9), applied last, then the caps again.
    select
        *,
        {{ eros_volume.cap_revenue(eros_volume.step_limited(
            'revenue_target', 'previous_revenue_items_per_day', 'days_since_previous')) }}
            as revenue_items_per_day,
        {{ eros_volume.cap_engagement(eros_volume.step_limited(
            'engagement_target', 'previous_engagement_items_per_day', 'days_since_previous')) }}
            as engagement_items_per_day,
        {{ eros_volume.cap_retention(eros_volume.step_limited(
            'retention_target', 'previous_retention_items_per_day', 'days_since_previous'),
            'page_type') }} as retention_items_per_day
    from capped
),

described as (
    select
        *,
        least(revenue_items_per_day, followup_cap) as followup_per_day,
        {{ eros_volume.flag_list([
            ('fan_count_missing', 'fan_count_missing'),
            ('fan_count_negative', 'fan_count_negative'),
            ('page_type_unknown', 'page_type_unknown'),
            ('saturation_clamped', 'saturation_clamped'),
            ('opportunity_clamped', 'opportunity_clamped'),
            ('opportunity_missing', 'opportunity_missing'),
            ('tracking_in_future', 'tracking_in_future'),
            ('messages_invalid', 'messages_ignored > 0'),
            ('tracking_invalid', 'tracking_rows_ignored > 0'),
            ('creator_id_unsupported', 'creator_id_unsupported'),
            ('stability_held_level', 'stability_held_level'),
            ('stability_step_limited', eros_volume.step_limited_condition()),
        ]) }} as data_quality_flags
    from limited
),

explained as (
    select
        *,
        {{ eros_volume.volume_explanation() }} as explanation
    from described
),

final as (
    select
        creator_id,
        page_name,
        page_type,
        fan_count,
        is_active,
        volume_level,
        revenue_items_per_day,
        engagement_items_per_day,
        retention_items_per_day,
        revenue_items_per_day as ppv_per_day,
        engagement_items_per_day as bump_per_day,
        bundle_per_week,
        game_per_week,
        followup_per_day,
        saturation_score,
        opportunity_score,
        revenue_trend,
        {{ dbt.cast('saturation_multiplier', 'double') }} as saturation_multiplier,
        {{ dbt.cast('opportunity_multiplier', 'double') }} as opportunity_multiplier,
        {{ dbt.cast('volume_multiplier', 'double') }} as volume_multiplier,
        'dynamic' as calculation_source,
        data_source,
        tracking_date,
        data_quality_flags,
        explanation,
        base_revenue_items,
        base_engagement_items,
        base_retention_items,
        trend_adjustment,
        saturation_band,
        opportunity_band,
        messages_ignored,
        tracking_rows_ignored
    from explained
)

select * from final
order by creator_id

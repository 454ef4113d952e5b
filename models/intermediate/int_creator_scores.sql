{#-
  The scores each creator's configuration uses, by priority (SPEC 5): the newest usable tracking
  row, else on-demand scores from enough current messages, else neutral defaults.
-#}
with

creators as (
    select * from {{ ref('stg_eros__creators') }}
),

tracked as (
    select * from {{ ref('int_creator_scores__tracked') }}
),

on_demand as (
    select * from {{ ref('int_creator_scores__on_demand') }}
    where is_as_of and has_enough_messages
),

joined as (
    select
        creators.creator_id,
        case
            when tracked.has_tracking_row then 'volume_performance_tracking'
            when on_demand.creator_id is not null then 'calculated_on_demand'
            else 'default_values'
        end as data_source,
        tracked.saturation_score as tracked_saturation_score,
        tracked.opportunity_score as tracked_opportunity_score,
        tracked.revenue_trend as tracked_revenue_trend,
        tracked.tracking_date as tracked_date,
        on_demand.saturation_score as on_demand_saturation_score,
        on_demand.opportunity_score as on_demand_opportunity_score,
        on_demand.current_messages as on_demand_messages,
        coalesce(tracked.saturation_clamped, false) as saturation_clamped,
        coalesce(tracked.opportunity_clamped, false) as opportunity_clamped,
        coalesce(tracked.opportunity_missing, false) as opportunity_missing,
        coalesce(tracked.tracking_in_future, false) as tracking_in_future
    from creators
    left join tracked
        on creators.creator_id = tracked.creator_id
    left join on_demand
        on creators.creator_id = on_demand.creator_id
),

chosen as (
    select
        creator_id,
        data_source,
        case data_source
            when 'volume_performance_tracking' then tracked_saturation_score
            when 'calculated_on_demand' then on_demand_saturation_score
            else {{ var('default_saturation') }}
        end as saturation_score,
        case data_source
            when 'volume_performance_tracking' then tracked_opportunity_score
            when 'calculated_on_demand' then on_demand_opportunity_score
            else {{ var('default_opportunity') }}
        end as opportunity_score,
        case data_source
            when 'volume_performance_tracking' then tracked_revenue_trend
            else {{ var('default_trend') }}
        end as revenue_trend,
        case data_source
            when 'volume_performance_tracking' then tracked_date
            when 'calculated_on_demand' then {{ eros_volume.as_of_date() }}
        end as tracking_date,
        case when data_source = 'calculated_on_demand' then on_demand_messages end
            as on_demand_messages,
        saturation_clamped,
        opportunity_clamped,
        opportunity_missing,
        tracking_in_future
    from joined
),

final as (
    select
        creator_id,
        data_source,
        {{ dbt.cast('saturation_score', 'double') }} as saturation_score,
        {{ dbt.cast('opportunity_score', 'double') }} as opportunity_score,
        {{ dbt.cast('revenue_trend', 'double') }} as revenue_trend,
        tracking_date,
        on_demand_messages,
        saturation_clamped,
        opportunity_clamped,
        opportunity_missing,
        tracking_in_future
    from chosen
)

select * from final

-- Only rows of tracking_period ('14d') are ever used or flagged (SPEC 5), checked against the raw
-- table itself: the chosen row of every creator is a 14d row of that creator and date with the
-- same scores, and the newest usable one; a creator with a usable 14d row has a chosen row; the
-- flag tracking_in_future is set exactly when a 14d row is dated after date(as_of). On the demo
-- data, 7d / 30d rows sit on the same date as a 14d row (grace_bennett, chloe_harper,
-- stella_park), newer than it (chloe_harper, aria_fontaine) and after as_of (leah_donovan).
with

raw_rows as (
    {{ eros_volume.select_raw('volume_performance_tracking', {
        'creator_id': 'varchar',
        'tracking_date': 'varchar',
        'tracking_period': 'varchar',
        'saturation_score': 'double',
        'opportunity_score': 'double',
        'revenue_per_send_trend': 'double',
    }, optional_table=true) }}
),

period_rows as (
    select
        creator_id,
        saturation_score,
        opportunity_score,
        revenue_per_send_trend,
        {{ eros_volume.safe_cast(eros_volume.safe_cast('tracking_date', 'timestamp'), 'date') }}
            as tracking_date
    from raw_rows
    where trim(tracking_period) = '{{ var("tracking_period") }}'
),

usable_rows as (
    select * from period_rows
    where
        saturation_score is not null
        and tracking_date <= {{ eros_volume.as_of_date() }}
        and tracking_date
        >= {{ eros_volume.add_days(eros_volume.as_of_date(), -var('tracking_max_age_days')) }}
),

newest_usable as (
    select
        creator_id,
        max(tracking_date) as tracking_date
    from usable_rows
    group by creator_id
),

future_creators as (
    select distinct creator_id
    from period_rows
    where tracking_date > {{ eros_volume.as_of_date() }}
),

tracked as (
    select * from {{ ref('int_creator_scores__tracked') }}
),

chosen as (
    select * from tracked
    where has_tracking_row
),

not_a_period_row as (
    select
        chosen.creator_id,
        'chosen row is not a ' || '{{ var("tracking_period") }}' || ' row' as failure
    from chosen
    where not exists (
        select 1
        from usable_rows
        where
            usable_rows.creator_id = chosen.creator_id
            and usable_rows.tracking_date = chosen.tracking_date
            and usable_rows.saturation_score = chosen.raw_saturation_score
            and usable_rows.opportunity_score is not distinct from chosen.raw_opportunity_score
            and coalesce(usable_rows.revenue_per_send_trend, {{ var('default_trend') }})
            = chosen.revenue_trend
    )
),

not_the_newest as (
    select
        newest_usable.creator_id,
        'newest usable row not chosen' as failure
    from newest_usable
    left join chosen
        on newest_usable.creator_id = chosen.creator_id
    where chosen.tracking_date is null or chosen.tracking_date != newest_usable.tracking_date
),

wrong_future_flag as (
    select
        coalesce(tracked.creator_id, future_creators.creator_id) as creator_id,
        'tracking_in_future is wrong' as failure
    from tracked
    full outer join future_creators
        on tracked.creator_id = future_creators.creator_id
    where coalesce(tracked.tracking_in_future, false) != (future_creators.creator_id is not null)
),

failures as (
    select * from not_a_period_row
    union all
    select * from not_the_newest
    union all
    select * from wrong_future_flag
)

select * from failures

-- Final volumes stay within the caps, free pages send no retention, follow-ups <= revenue.
with

configs as (
    select * from {{ ref('volume_config') }}
)

select
    creator_id,
    revenue_items_per_day,
    engagement_items_per_day,
    retention_items_per_day,
    followup_per_day
from configs
where
    revenue_items_per_day not between {{ var('revenue_min') }} and {{ var('revenue_max') }}
    or engagement_items_per_day
    not between {{ var('engagement_min') }} and {{ var('engagement_max') }}
    or retention_items_per_day
    not between {{ var('retention_min') }} and {{ var('retention_max') }}
    or ({{ eros_volume.retention_forced_to_zero('page_type') }} and retention_items_per_day != 0)
    or followup_per_day > revenue_items_per_day
    or ppv_per_day != revenue_items_per_day
    or bump_per_day != engagement_items_per_day

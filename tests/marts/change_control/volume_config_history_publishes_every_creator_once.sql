{#-
  This build's publication in volume_config_history: exactly one row per creator of
  volume_config, with this build's build_id (SPEC 9). Returns the creators that break it.
-#}
with

history as (
    select * from {{ ref('volume_config_history') }}
),

info as (
    select * from {{ ref('build_info') }}
),

configs as (
    select * from {{ ref('volume_config') }}
),

published as (
    select
        history.creator_id,
        count(*) as publication_rows,
        min(history.build_id) as build_id
    from history
    inner join info
        on history.as_of = info.as_of
    group by history.creator_id
),

checked as (
    select
        coalesce(configs.creator_id, published.creator_id) as creator_id,
        published.publication_rows,
        published.build_id
    from configs
    full outer join published
        on configs.creator_id = published.creator_id
)

select checked.*
from checked
cross join info
where
    checked.publication_rows is distinct from 1
    or checked.build_id is distinct from info.build_id

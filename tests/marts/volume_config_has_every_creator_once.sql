-- Every creator of the raw creators table appears exactly once in volume_config.
with

creators as (
    select * from {{ ref('stg_eros__creators') }}
),

configs as (
    select * from {{ ref('volume_config') }}
),

counted as (
    select
        creators.creator_id,
        count(configs.creator_id) as config_rows
    from creators
    left join configs
        on creators.creator_id = configs.creator_id
    group by creators.creator_id
)

select * from counted
where config_rows != 1

with

source as (
    {{ eros_volume.select_raw('top_content_types', {
        'creator_id': 'varchar',
        'analysis_date': 'varchar',
        'rank': 'integer',
        'content_type': 'varchar',
        'send_count': 'bigint',
        'total_earnings': 'double',
        'avg_earnings': 'double',
        'avg_purchase_rate': 'double',
        'performance_tier': 'varchar',
    }, required_columns=['creator_id', 'analysis_date', 'rank', 'content_type'],
    optional_table=true) }}
),

typed as (
    select
        creator_id,
        {{ eros_volume.safe_cast(eros_volume.safe_cast('analysis_date', 'timestamp'), 'date') }}
            as analysis_date,
        rank as content_rank,
        content_type,
        send_count,
        total_earnings,
        avg_earnings,
        avg_purchase_rate,
        performance_tier
    from source
)

select * from typed

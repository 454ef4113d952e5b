with

source as (
    {{ eros_volume.select_raw('creator_personas', {
        'creator_id': 'varchar',
        'primary_tone': 'varchar',
        'secondary_tone': 'varchar',
        'emoji_frequency': 'varchar',
        'favorite_emojis': 'varchar',
        'slang_level': 'varchar',
        'avg_sentiment': 'double',
        'avg_caption_length': 'integer',
        'last_analyzed': 'varchar',
    }, required_columns=['creator_id'], optional_table=true) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by creator_id
            order by {{ eros_volume.safe_cast('last_analyzed', 'timestamp') }} desc nulls last
        ) as persona_rank
    from source
    where creator_id is not null
),

newest as (
    select
        creator_id,
        primary_tone,
        secondary_tone,
        emoji_frequency,
        favorite_emojis,
        slang_level,
        avg_sentiment,
        avg_caption_length,
        last_analyzed
    from ranked
    where persona_rank = 1
)

select * from newest

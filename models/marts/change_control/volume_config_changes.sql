{#-
  What changed at each publication of the history and why (SPEC 9): per publication, one row per
  creator that is new to the history or whose published fields differ from its previous
  publication. The carried publications keep the rows judged when they were published; this
  build's publication is compared with int_volume_config__previous.
-#}
{{ eros_volume.history_table_config() }}
with

carried as (
    {{ eros_volume.carried_rows('volume_config_changes', eros_volume.change_columns()) }}
),

published as (
    select * from {{ ref('int_volume_config__published') }}
),

previous as (
    select * from {{ ref('int_volume_config__previous') }}
),

kept as (
    {{ eros_volume.kept_publications('carried') }}
),

compared as (
    select
        published.build_id,
        published.as_of,
        published.creator_id,
        {{ eros_volume.old_new_columns('previous.previous_', 'published.') }},
        previous.previous_saturation_score as old_saturation_score,
        published.saturation_score as new_saturation_score,
        previous.previous_opportunity_score as old_opportunity_score,
        published.opportunity_score as new_opportunity_score,
        previous.previous_revenue_trend as old_revenue_trend,
        published.revenue_trend as new_revenue_trend,
        previous.previous_data_source as old_data_source,
        published.data_source as new_data_source,
        published.data_quality_flags as new_data_quality_flags,
        previous.creator_id is null as is_new,
        {{ eros_volume.flag_list(eros_volume.changed_field_conditions()) }} as changed_fields
    from published
    left join previous
        on published.creator_id = previous.creator_id
),

changed as (
    select
        *,
        case when is_new then 'new' else 'changed' end as change_type
    from compared
    where is_new or {{ eros_volume.flag_count('changed_fields') }} > 0
),

described as (
    select
        {{ eros_volume.change_columns_but_reason() }},
        {{ eros_volume.change_reason() }} as reason
    from changed
),

final as (
    select * from kept
    union all
    select * from described
)

select * from final

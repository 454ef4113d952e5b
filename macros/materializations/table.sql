{#-
  DuckDB tables, built in one statement. Every build writes a new, empty DuckDB file (the CLI
  swaps it in when everything passed), so dbt-duckdb's own table materialization's safety for
  replacing a live table (an intermediate name, a backup, renames, foreign-key and index
  bookkeeping: five to eight statements and catalog lookups per model) buys nothing here and
  costs a refresh ~10 ms of dbt per model (docs/benchmarks.md). `create or replace` keeps a
  rebuild into an existing file working (CI's dbt build, `dbt run -s` by hand). Hooks run as
  dbt's do; no grants or persisted docs are configured in this project. Other engines keep
  their adapter's materialization.
-#}
{% materialization table, adapter='duckdb' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if existing_relation is not none and not existing_relation.is_table -%}
        {{ drop_relation_if_exists(existing_relation) }}
    {%- endif -%}
    {% call statement('main') -%}
        create or replace table {{ target_relation }} as (
            {{ compiled_code }}
        )
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

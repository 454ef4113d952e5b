{#-
  Spark: the raw tables are Parquet folders, one per table, under EROS_RAW_PARQUET (written by
  `eros-volume export-parquet`). Run on run start, this registers each folder named in
  EROS_RAW_PARQUET_TABLES as an external table of the `eros` source's schema. A table without a
  folder stays missing (the staging models treat it as they would in a database). Without
  EROS_RAW_PARQUET nothing is registered: the source reads tables already in the catalog.
-#}
{% macro register_raw_parquet() %}
    {%- if not execute or target.type != 'spark' -%}{{ return('') }}{%- endif -%}
    {%- set folder = env_var('EROS_RAW_PARQUET', '') -%}
    {%- if folder == '' -%}{{ return('') }}{%- endif -%}
    {%- set schema = eros_volume.spark_raw_schema() -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- for table in env_var('EROS_RAW_PARQUET_TABLES', '').split(',') if table -%}
        {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
        {%- do run_query('create table ' ~ schema ~ '.' ~ table ~ " using parquet location '"
            ~ (folder ~ '/' ~ table).replace("'", "\\'") ~ "'") -%}
    {%- endfor -%}
    {{- return('') -}}
{% endmacro %}

{#- The schema the `eros` source reads (models/staging/eros/_eros__sources.yml). -#}
{% macro spark_raw_schema() %}
    {%- for node in graph.sources.values() if node.source_name == 'eros' -%}
        {{- return(node.schema) -}}
    {%- endfor -%}
{% endmacro %}

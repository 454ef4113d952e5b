{#-
  Raw tables are the `eros` source (models/staging/eros/_eros__sources.yml): the attached
  operational database (EROS_RAW_DB), or the demo seeds loaded into the build file.
-#}

{% macro raw_mode() %}
    {{- return(env_var('EROS_RAW_DB', '') != '' or target.type == 'spark') -}}
{% endmacro %}

{#-
  The source relation of a raw table. On the demo data the seed of the same name is that
  relation: depending on it makes `dbt build` load the seed before the staging model reads it.
-#}
{% macro raw_relation(table_name) %}
    {%- if not eros_volume.raw_mode() -%}
        {%- do ref(table_name) -%}
    {%- endif -%}
    {{- return(source('eros', table_name)) -}}
{% endmacro %}

{#-
  select_raw(table_name, columns, required_columns, optional_table, raw_filter, as_stored)
  Selects `columns` (name -> type) from a raw table, each cast with try_cast, so that text from
  SQLite and typed DuckDB columns read the same. A column of `as_stored` (name -> type) whose raw
  column already has that type (a typed DuckDB or PostgreSQL file) is read as stored, with no
  cast and no text round trip; the model then casts it to that type itself (a no-op on it) and
  turns it into text only where it needs text. A missing column in `required_columns`, or a
  missing table unless `optional_table`, is a compile error naming it; any other missing column
  reads as null; a missing optional table reads as no rows (in a unit test, the mocked rows are
  read as they are). `raw_filter` is a condition on raw
  columns with literals only; it runs inside the raw database where it can (SQLite: through
  sqlite_query, so SQLite's own index skips old history), before any cast.
-#}
{% macro select_raw(
    table_name, columns, required_columns=[], optional_table=false, raw_filter=none, as_stored={}
) %}
    {%- set relation = eros_volume.raw_relation(table_name) -%}
    {%- set present = none -%}
    {%- set found = none -%}
    {#- A unit test's mocked source is a CTE of its given rows: nothing to look up. -#}
    {%- set introspect = execute and target.name != 'lint' and model.resource_type != 'unit_test' -%}
    {%- if introspect -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
        {%- if found is none and not optional_table -%}
            {{ exceptions.raise_compiler_error(
                "raw database is missing required table " ~ table_name) }}
        {%- endif -%}
        {%- if found is not none -%}
            {#- name -> the raw column's type -#}
            {%- set present = {} -%}
            {%- for column in adapter.get_columns_in_relation(found) -%}
                {%- do present.update({column.name | lower: column.dtype | lower}) -%}
            {%- endfor -%}
            {%- for name in required_columns if name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "raw table " ~ table_name ~ " is missing required column " ~ name) }}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if introspect and found is none %}
    select
        {%- for name, type in columns.items() %}
        {{ eros_volume.typed_null(type) }} as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- else %}
    select
        {%- for name, type in columns.items() %}
        {%- if present is not none and name in as_stored and present.get(name) == as_stored[name] %}
        {{ name }}{{ "," if not loop.last }}
        {%- elif present is none or name in present %}
        {{ eros_volume.safe_cast(name, type) }} as {{ name }}{{ "," if not loop.last }}
        {%- else %}
        {{ eros_volume.typed_null(type) }} as {{ name }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from {{ eros_volume.raw_scan(relation, columns, present, raw_filter) }}
    {%- endif %}
{% endmacro %}

{#-
  The raw relation, filtered. On SQLite the filter runs inside SQLite (its index skips old
  history) when it keeps under the var sqlite_pushdown_share of the table's rows: DuckDB's own
  scan of an attached SQLite table reads every row but in parallel, and is the faster of the two
  when most rows are needed (docs/benchmarks.md: 280k rows, all in the windows: 0.26 s against
  0.65 s; 1.8M rows, 16 % in the windows: 1.33 s against 0.70 s). Both apply the same filter, so
  they read the same rows.
-#}
{% macro raw_scan(relation, columns, present, raw_filter) %}
    {%- if raw_filter is none -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- if present is not none and eros_volume.raw_database_type() == 'sqlite'
        and eros_volume.sqlite_filter_share(relation, raw_filter) < var('sqlite_pushdown_share') -%}
        {%- set names = [] -%}
        {%- for name in columns if name in present -%}{%- do names.append(name) -%}{%- endfor -%}
        {%- set query = 'select ' ~ names | join(', ') ~ ' from ' ~ relation.identifier
            ~ ' where ' ~ raw_filter -%}
        {{- return("sqlite_query('" ~ relation.database ~ "', '" ~ query.replace("'", "''")
            ~ "') as raw_rows") -}}
    {%- endif -%}
    {{- return('(select * from ' ~ relation ~ ' where ' ~ raw_filter ~ ') as raw_rows') -}}
{% endmacro %}

{#- 'sqlite', 'duckdb' or none (demo seeds / lint), from the attached raw database. -#}
{% macro raw_database_type() %}
    {%- if not (execute and eros_volume.raw_mode() and target.type == 'duckdb') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(
        "select type from duckdb_databases() where database_name = 'raw_db'") -%}
    {{- return(result.columns[0].values()[0] if result.rows | length else none) -}}
{% endmacro %}

{#- The share of a raw SQLite table's rows that raw_filter keeps (0 for an empty table). -#}
{% macro sqlite_filter_share(relation, raw_filter) %}
    {%- set query = 'select (select count(*) from ' ~ relation.identifier ~ ' where ' ~ raw_filter
        ~ ') as kept, (select count(*) from ' ~ relation.identifier ~ ') as total' -%}
    {%- set result = run_query(
        "select cast(kept as double) / greatest(cast(total as double), 1) from sqlite_query('"
        ~ relation.database ~ "', '" ~ query.replace("'", "''") ~ "')") -%}
    {{- return(result.columns[0].values()[0]) -}}
{% endmacro %}

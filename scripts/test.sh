#!/usr/bin/env bash
# Every check of the project, from a fresh clone: install into .venv, then dbt build (models,
# seeds, data and unit tests) into a scratch file, sqlfluff, ruff and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The Spark engine's tests (python/tests/test_spark.py) need its extra (dbt-spark, pyspark) and a
# Java 17+ runtime (JAVA_HOME, else the java on PATH; .ci/run installs one when missing).
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
export PATH="$PWD/.venv/bin:$PATH"
# In CI the PostgreSQL tests must run: their fixture fails instead of skipping without a cluster.
if [ "${CI:-}" = "true" ]; then
    export EROS_REQUIRE_POSTGRES=1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== dbt build (demo data, all data and unit tests)"
EROS_VOLUME_DB="$scratch/ci.duckdb" EROS_RAW_DB="" dbt build --profiles-dir . --project-dir .

echo "== sqlfluff lint"
# Macros are linted where they expand: sqlfluff's dbt templater skips macro-only files by design
# ("Skipped file ... because it is a macro"), so every model and test that calls them is linted.
sqlfluff lint models tests

echo "== ruff"
ruff check python scripts

echo "== pytest"
pytest "$@"

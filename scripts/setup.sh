#!/usr/bin/env bash
# Create .venv and install the project with its pinned toolchain (idempotent, offline-safe:
# only the package registries are needed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'

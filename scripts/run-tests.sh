#!/usr/bin/env bash
# Start Redis and PostgreSQL on loopback, run the whole suite against them, stop them.
# Tests marked `postgres` run in a pytest process of their own: Tortoise caches each model's
# SQL for the first database dialect it meets, so one process keeps to one dialect.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'bash scripts/test-services.sh stop' EXIT
servers="$(bash scripts/test-services.sh start)" || { echo "test servers did not start" >&2; exit 1; }
eval "$servers"
.venv/bin/python -m pytest -q -m "not postgres" "$@"
.venv/bin/python -m pytest -q -m postgres "$@"

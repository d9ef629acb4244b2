# `make run` and `make test` are the two commands a newcomer needs; `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BENCHES := login status_query score_burst dispatch campaign board_stream

.PHONY: help run test lint typecheck pytest bench services clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/citysvc: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(BIN)/citysvc
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/citysvc  ## create .venv, install, migrate, start the demo
	$(BIN)/citysvc migrate
	$(BIN)/citysvc demo

test: $(VENV)/.dev  ## lint, typecheck, and the whole suite on SQLite, PostgreSQL and Redis
	$(MAKE) lint typecheck
	bash scripts/run-tests.sh

lint: $(VENV)/.dev  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev  ## mypy --strict on the source
	$(BIN)/mypy

pytest: $(VENV)/.dev  ## the suite only (servers started as for make test)
	bash scripts/run-tests.sh

bench: $(VENV)/.dev  ## every benchmark, figures as ratios to a baseline
	for b in $(BENCHES); do $(BIN)/python bench/$$b.py || exit 1; done

services:  ## start the test Redis and PostgreSQL and print their URLs
	bash scripts/test-services.sh start

clean:  ## remove the venv, caches and local data
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache data

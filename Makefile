# `make run` and `make test` are the two commands a newcomer needs; `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BENCHES := alipay_sign login status_query score_burst dispatch campaign board_stream policy_sweep
BENCH_FIGURES ?= bench-figures.jsonl

.PHONY: help run test lint typecheck pytest bench services multihost lock wheelhouse clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# Installs come from the lock files only: every package pinned and checked by its hash.
$(BIN)/citysvc: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: $(BIN)/citysvc requirements-dev.lock
	$(BIN)/python -m pip install -q --require-hashes -r requirements-dev.lock
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

bench: $(VENV)/.dev  ## every benchmark, figures as ratios to a baseline; then one table of them all
	rm -f $(BENCH_FIGURES)
	for b in $(BENCHES); do BENCH_FIGURES=$(abspath $(BENCH_FIGURES)) $(BIN)/python bench/$$b.py || exit 1; done
	$(BIN)/python bench/table.py $(BENCH_FIGURES)

services:  ## start the test Redis and PostgreSQL and print their URLs
	bash scripts/test-services.sh start

multihost: $(BIN)/citysvc  ## (root) five hosts in network namespaces; kill some midway and count
	$(BIN)/python scripts/multihost.py

lock: $(BIN)/citysvc  ## re-pin requirements*.lock (with hashes) after changing pyproject.toml
	$(BIN)/python -m pip install -q pip-tools
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

wheelhouse: $(BIN)/citysvc  ## ./wheelhouse: every locked wheel and citysvc's own, for offline installs
	$(BIN)/python -m pip download -q --require-hashes -r requirements.lock -d wheelhouse
	$(BIN)/python -m pip wheel -q --no-deps -w wheelhouse .
	cp requirements.lock wheelhouse/

clean:  ## remove the venv, caches and local data
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache data wheelhouse

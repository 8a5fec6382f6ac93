# jiceng: `make run` serves the dashboard on the sample data; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DB ?= var/jiceng.duckdb
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: setup load run lint test test-all bench sample clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

load: setup
	$(PY) -m etl load --db $(DB) data_samples

run: load
	$(PY) -m dashboard --db $(DB) --host $(HOST) --port $(PORT)

# pycodestyle, pyflakes and import order (pyproject.toml), before the tests
lint: setup
	$(PY) -m ruff check .

test: load lint
	$(PY) -m pytest

test-all: load lint
	$(PY) -m pytest -m "slow or not slow"

# the province benchmark's table (docs/performance.md), the write path at each size of SCALE
# (multiples of the province: `make bench SCALE="1 4 10"`), every page in a real browser at each
# size of PAGES_SCALE (0: the sample city), then the load test (docs/reliability.md)
SCALE ?= 1 4
PAGES_SCALE ?= 0 1
bench: setup
	$(PY) -m benchmarks
	$(PY) -m benchmarks writes $(foreach s,$(SCALE),--scale $(s))
	$(PY) -m benchmarks browser $(foreach s,$(PAGES_SCALE),--scale $(s))
	$(PY) -m benchmarks bulletin
	$(PY) -m benchmarks loadtest

sample: setup
	$(PY) -m etl sample --out data_samples

clean:
	rm -rf $(VENV) var .pytest_cache

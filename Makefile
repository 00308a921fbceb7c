# Two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help run serve test check build export lint bench clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# The venv is rebuilt whenever pyproject.toml changes, so nothing relies on
# whatever happens to be installed on the machine.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP) build ## install, build the handbook and serve it (http://127.0.0.1:8000; HOST/PORT change it)
	$(PY) -m http.server --bind $${HOST:-127.0.0.1} --directory site $${PORT:-8000}

serve: $(STAMP) ## live preview for policy owners while editing (rebuilds on save)
	$(PY) -m mkdocs serve --dev-addr $${HOST:-127.0.0.1}:$${PORT:-8000}

check: $(STAMP) ## validate the handbook only (fast; run before publishing)
	$(PY) -m generator check

build: $(STAMP) ## strict site build into site/, published atomically
	$(PY) -m generator build

export: $(STAMP) ## write the whole model as JSON to handbook.json
	$(PY) -m generator export --json -o handbook.json

test: $(STAMP) ## run every test (unit, site build, browser)
	$(PY) -m pytest

lint: $(STAMP) ## ruff lint and format check
	$(PY) -m ruff check generator checklist_app tests bench
	$(PY) -m ruff format --check generator checklist_app tests bench

bench: $(STAMP) ## run the benchmarks (prints medians and ratios)
	$(PY) bench/bench_parse.py

clean: ## remove build output and the venv
	rm -rf site .site-builds $(VENV) .pytest_cache test-artifacts

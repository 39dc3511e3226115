# 金沢区役所 lobby guide — the chores. `make run` brings the guide up; `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
KIOSK_HOST ?= 127.0.0.1
KIOSK_PORT ?= 5000
RASA_PORT ?= 5005
# ACTIONS_PORT must match the action endpoint in endpoints.yml.
ACTIONS_PORT ?= 5055
export KIOSK_HOST KIOSK_PORT RASA_PORT ACTIONS_PORT
# No telemetry calls from a ward office machine (and none could leave this network).
export RASA_TELEMETRY_ENABLED := false

# Rasa 3.6 runs on Python 3.8-3.10 only. Find a working 3.10: PYTHON=..., then a
# python3.10 that really runs (a pyenv shim may not), then pyenv's 3.10.
PYTHON ?= $(shell \
  if python3.10 -c 'import sys' >/dev/null 2>&1; then command -v python3.10; \
  elif command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.10 >/dev/null 2>&1; then echo "$$(pyenv prefix 3.10)/bin/python3.10"; \
  fi)

.PHONY: help venv model run test test-fast lint-imports validate check eval eval-languages crossval shell actions export-nlu clean system-deps fuzz load faults audit audit-live

help:
	@echo "make run           bring up Rasa, the action server and the kiosk on http://localhost:$(KIOSK_PORT)"
	@echo "make test          the whole test suite (installs, trains when needed, starts servers)"
	@echo "make test-fast     the tests that need no server and no browser"
	@echo "make lint-imports  the dependency rule (import-linter contracts in pyproject.toml)"
	@echo "make check         validate guide data and Rasa data (make validate: the same)"
	@echo "make eval          routing accuracy on the held-out visitor questions (real servers)"
	@echo "make eval-languages routing and reply language per language on the development sets"
	@echo "make crossval      rasa test nlu --cross-validation (~10 min)"
	@echo "make fuzz / load / faults      the long suites"
	@echo "make bench         stock vs faq-matcher vs shipped (< 30 min; bench-full: stock at 100 epochs, over 1 h)"
	@echo "make audit         known advisories for the pinned dependencies (offline snapshot; audit-live: pip-audit online)"
	@echo "make shell         talk to the bot in the terminal (rasa shell; make actions in another terminal)"
	@echo "make model / venv / export-nlu / system-deps / clean      the building blocks"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python 3.10 found. Rasa 3.6 needs Python 3.8-3.10: install it (e.g. 'pyenv install 3.10')"; \
	  echo "or point to one with 'make PYTHON=/path/to/python3.10 ...'."; exit 1; fi
	@"$(PYTHON)" -c 'import sys; assert sys.version_info[:2] == (3, 10), sys.version' \
	  || { echo "$(PYTHON) is not Python 3.10"; exit 1; }
	"$(PYTHON)" -m venv $(VENV)

# The venv is rebuilt when the lock file changes.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

venv: $(VENV)/.installed

# import-linter reads the source and imports none of it: a small venv of its own, pinned in
# requirements-lint.txt, keeps it out of the guide's requirements.lock.
LINT_VENV := .venv-lint
$(LINT_VENV)/.installed: requirements-lint.txt | $(BIN)/python
	"$(PYTHON)" -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install --quiet -r requirements-lint.txt
	touch $@

lint-imports: $(LINT_VENV)/.installed
	$(LINT_VENV)/bin/lint-imports

# var/ holds the token, the session key and visitors' questions: the guide's user only.
var/rasa_token:
	@mkdir -p var && chmod 700 var
	@umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))' > $@

# Trains only when config, domain or training data changed (the model is named by their hash).
model: venv
	$(BIN)/guide train

run: venv model var/rasa_token
	@mkdir -p var && chmod 700 var
	@echo "Starting Rasa (127.0.0.1:$(RASA_PORT)), actions (127.0.0.1:$(ACTIONS_PORT)), kiosk (http://$(KIOSK_HOST):$(KIOSK_PORT)) and the daily retention. Ctrl-C stops all four."
	@echo "Rasa takes about 40 s to load; the kiosk answers in degraded mode until then."
	umask 077; GUIDE_MODEL=$$($(BIN)/guide model-path) RASA_TOKEN=$$(cat var/rasa_token) $(BIN)/honcho start -f Procfile

check: venv
	$(BIN)/guide check

validate: check

export-nlu: venv
	$(BIN)/guide export-nlu

# axe-core, the accessibility checker the browser tests run in each page (from npm, pinned).
# Defined before the rules that name it: make expands a prerequisite when it reads the rule.
AXE := var/axe/node_modules/axe-core/axe.min.js

test: venv model system-deps lint-imports $(AXE)
	$(BIN)/pytest -q

test-fast: venv
	$(BIN)/pytest -q -m "not servers and not browser"

eval: venv model
	$(BIN)/pytest -q tests/servers/test_heldout.py -s

# Routing per language on the development sets (data/heldout/dev/public_questions_<lang>.yml).
eval-languages: venv model
	$(BIN)/pytest -q tests/servers/test_languages.py -k dev_set -s

# The long suites (not in CI): 10,000 fuzz cases per property, 50 kiosks for 10 minutes.
fuzz: venv model
	FUZZ_EXAMPLES=10000 $(BIN)/pytest -q tests/servers/test_fuzz.py -p no:cacheprovider

load: venv model
	LOAD_SESSIONS=50 LOAD_SECONDS=600 $(BIN)/pytest -q -s tests/servers/test_load.py

faults: venv model
	$(BIN)/pytest -q tests/servers/test_faults.py

# The offline audit against the advisory snapshot in security/ (see security/reviewed.yml).
audit: venv
	$(BIN)/guide audit $(if $(SAFETY_DB),--safety-db $(SAFETY_DB))

# pip-audit asks PyPI per release; needs the network (its own venv: it upgrades Rasa's pins).
audit-live: venv
	@test -x .venv-audit/bin/pip-audit || { "$(PYTHON)" -m venv .venv-audit && .venv-audit/bin/pip install --quiet pip-audit==2.10.1; }
	.venv-audit/bin/pip-audit --requirement requirements.lock --no-deps --progress-spinner off

crossval: venv
	$(BIN)/rasa test nlu --config config.yml --nlu data/nlu --cross-validation --folds 3 --out results/crossval

shell: venv model
	@echo "Start the action server in another terminal: make actions"
	$(BIN)/rasa shell --model $$($(BIN)/guide model-path) --endpoints endpoints.yml

actions: venv
	SANIC_HOST=127.0.0.1 $(BIN)/python -m rasa_sdk --actions actions --port $(ACTIONS_PORT)

# Debian packages the tests need: Chromium, its driver and Japanese fonts for the browser
# tests; PostgreSQL and Redis for the multi-server tests (they start private instances); npm for
# axe-core, only where no npm is installed: Debian's npm conflicts with a nodejs that brings its
# own (NodeSource's), and apt then installs nothing at all.
SYSTEM_PACKAGES := chromium chromium-driver fonts-noto-cjk postgresql redis-server zbar-tools
$(AXE): | system-deps
	npm install --silent --no-audit --no-fund --prefix var/axe axe-core@4.11.1

system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' \
	    || ! command -v redis-server >/dev/null || ! command -v zbarimg >/dev/null || ! command -v npm >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) \
	    $$(command -v npm >/dev/null || echo npm) >/dev/null; fi

clean:
	rm -rf models results .pytest_cache

# Stock Rasa+GiNZA vs a classic FAQ matcher vs the shipped pipeline, side by side (under 30 min
# on 2 cores; trains both Rasa models into a temp dir, stock's DIET for 10 and its
# ResponseSelector for 60 epochs instead of 100 each). Writes results/bench/bench.{json,md}.
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--pipelines shipped --duration 5".
.PHONY: bench bench-full
bench: venv
	@test -x $(BIN)/py-spy || $(BIN)/pip install --quiet py-spy==0.4.3 \
	  || echo "py-spy is not installed: the bench runs without a profile"
	$(BIN)/guide bench $(BENCH_ARGS)

# The same with stock trained for its config's 100 epochs: over an hour on 2 cores (DIET about
# 30 s and the ResponseSelector about 10 s per epoch here).
bench-full:
	$(MAKE) bench BENCH_ARGS="--stock-epochs 0 $(BENCH_ARGS)"

# German troubleshooting assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := $(VENV)/bin/rasa
SPACY_DIR   := var/spacy/de_telco
SPACY_STAMP := $(SPACY_DIR)/telco_pipeline.json
MODEL       := models/current.tar.gz
# The website chat's socket.io client, from the npm registry (no CDN at run time).
SOCKETIO_CLIENT_VERSION := 4.8.1
WEBCHAT_JS  := var/webchat/socket.io.min.js
# axe-core for the accessibility checks in the browser tests (npm registry, injected from disk).
AXE_VERSION := 4.11.0
AXE_JS      := var/a11y/axe.min.js
# Browser tests drive Debian's Chromium; `make test` installs it when it is missing.
CHROMIUM    := /usr/bin/chromium
HAPROXY     := /usr/sbin/haproxy
# Everything that changes the trained model. `make` retrains only when one of
# these is newer than the model. (The NLU components in bot/nlu are loaded from the
# source tree at run time; the ones whose training shapes the model are inputs.)
MODEL_INPUTS := config.yml domain.yml knowledge/vocabulary.yml $(shell find data -name '*.yml' 2>/dev/null) $(SPACY_STAMP) \
	bot/nlu/components.py bot/nlu/domain_vocabulary.py bot/nlu/mood.py

# Python 3.10 from pyenv (.python-version), else any python3.10 on PATH.
BASE_PYTHON ?= $(shell pyenv which python 2>/dev/null || command -v python3.10)

export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONWARNINGS ?= ignore
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

.PHONY: help setup run run-scaled shell train validate test test-python test-stories test-nlu bench lint clean

help: ## List the targets
	@echo "make run    start the bot (Rasa server, action server) on embedded defaults"
	@echo "make test   run the whole test suite (what CI runs)"
	@echo
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@echo "==> Setting up the virtual environment in $(VENV) (first start takes a few minutes)"
	@test -n "$(BASE_PYTHON)" || { echo "Python 3.10 not found: install it with pyenv (see .python-version)"; exit 1; }
	@$(BASE_PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' || { echo "$(BASE_PYTHON) is not Python 3.10"; exit 1; }
	test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==26.3 setuptools==70.3.0 wheel==0.45.1
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

setup: $(VENV)/.installed $(SPACY_STAMP) $(WEBCHAT_JS) ## Create the venv, install pinned dependencies, build the spaCy pipeline, fetch the chat client

$(SPACY_STAMP): $(VENV)/.installed bot/nlu/spacy_pipeline.py
	@echo "==> Building the German spaCy pipeline"
	$(PY) -m bot.nlu.spacy_pipeline --output $(SPACY_DIR)
	@touch $@

$(WEBCHAT_JS):
	@echo "==> Fetching socket.io-client $(SOCKETIO_CLIENT_VERSION) from the npm registry"
	@mkdir -p var/webchat/npm
	cd var/webchat/npm && npm pack --silent socket.io-client@$(SOCKETIO_CLIENT_VERSION) >/dev/null
	tar -xzf var/webchat/npm/socket.io-client-$(SOCKETIO_CLIENT_VERSION).tgz -C var/webchat/npm package/dist/socket.io.min.js
	cp var/webchat/npm/package/dist/socket.io.min.js $@

$(AXE_JS):
	@echo "==> Fetching axe-core $(AXE_VERSION) from the npm registry"
	@mkdir -p var/a11y/npm
	cd var/a11y/npm && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	tar -xzf var/a11y/npm/axe-core-$(AXE_VERSION).tgz -C var/a11y/npm package/axe.min.js
	cp var/a11y/npm/package/axe.min.js $@

$(CHROMIUM):
	scripts/install-chromium

$(HAPROXY):
	scripts/install-haproxy

$(MODEL): $(VENV)/.installed $(MODEL_INPUTS)
	@echo "==> Training the model (training data changed; about a minute on 2 cores)"
	@mkdir -p var models
	$(RASA) train --fixed-model-name current --out models --num-threads 2
	@touch $@

train: $(MODEL) ## Train the model if the training data changed since the last one

run: $(MODEL) $(WEBCHAT_JS) ## Start everything a customer needs; Ctrl-C stops it
	@mkdir -p var
	$(PY) -m bot.tickets migrate
	$(PY) -m bot.console demo-agent >/dev/null
	$(PY) -m bot.run_stack

run-scaled: $(MODEL) $(WEBCHAT_JS) $(HAPROXY) ## Two Rasa processes behind HAProxy, with PostgreSQL, Redis and RabbitMQ of this machine
	@mkdir -p var
	$(PY) -m bot.run_stack --scaled

shell: $(MODEL) ## Chat in the terminal (uses the running bot, or starts one)
	$(PY) -m bot.terminal_chat

validate: $(VENV)/.installed ## Check training data, domain (zero warnings) and knowledge/ trees
	$(RASA) data validate --fail-on-warnings
	$(PY) -m bot.diagnosis.validate

lint: $(VENV)/.installed ## ruff
	$(VENV)/bin/ruff check .

test-python: $(MODEL) $(WEBCHAT_JS) $(AXE_JS) $(CHROMIUM) $(HAPROXY)
	$(VENV)/bin/pytest

test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out var/results/core

test-nlu: $(MODEL)
	$(PY) -m bot.nlu.benchmark check --model $(MODEL) --min-macro-f1 0.92 --min-real-problems 0.80

test: lint validate test-python test-stories test-nlu ## Run the whole test suite (CI runs this)

bench: $(MODEL) $(WEBCHAT_JS) $(CHROMIUM) $(HAPROXY) ## Benchmarks: diagnosis scenarios, line check latency, handoff latency, load against a stock Rasa bot (1 and 2 processes), NLU pipelines, blind scenarios
	$(PY) -m bot.diagnosis.scenarios --min-correct 0.95 --max-median-turns 6
	$(PY) -m bot.linecheck.benchmark
	$(PY) -m bot.console.benchmark --max-p95-ms 300
	$(PY) -m bot.load.benchmark --enforce
	$(PY) -m bot.nlu.benchmark report --model $(MODEL)
	$(PY) -m bot.nlu.benchmark check --model $(MODEL) --min-macro-f1 0.92 --min-real-problems 0.85 --min-real-overall 0.75
	$(PY) -m bot.nlu.benchmark compare
	$(PY) -m bot.diagnosis.blind_scenarios --min-correct 0.90 --max-median-turns 5 --max-line-turns 4

clean: ## Remove trained models and local state (keeps the venv)
	rm -rf models var/results var/tracker.db

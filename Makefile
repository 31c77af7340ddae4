# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export RAY_USAGE_STATS_ENABLED := 0

UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) \
	ui/index.html ui/vite.config.ts ui/tsconfig.json ui/package.json ui/package-lock.json

.PHONY: run test down status check-java check-node check-chromium check-postgresql ui ui-api ui-test

run: $(VENV)/.installed check-java ui
	$(BIN)/daas up

down: $(VENV)/.installed
	$(BIN)/daas down

status: $(VENV)/.installed
	$(BIN)/daas status

test: $(VENV)/.installed-test check-java check-chromium check-postgresql ui ui-test
	$(BIN)/python -m pytest -q -ra

check-java:
	@command -v java >/dev/null || { echo "pypmml needs Java 8+ (e.g. apt-get install openjdk-17-jre-headless)"; exit 1; }

check-node:
	@command -v npm >/dev/null || { echo "the web UI builds with Node.js 20+ and npm (e.g. apt-get install nodejs npm)"; exit 1; }

# Browser tests drive Debian's Chromium (never a downloaded browser), with CJK fonts so the
# Chinese screenshots show characters; installed here only when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
check-chromium:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi wenquanyi; then \
		echo "installing Debian's chromium and fonts-wqy-zenhei for the browser tests"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			chromium fonts-wqy-zenhei >/dev/null; \
	fi

# The database tests run on SQLite and on a PostgreSQL server they start from Debian's
# binaries (never a downloaded one); installed here only when missing.
check-postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing Debian's postgresql for the database tests"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			postgresql >/dev/null; \
	fi

# --- the web UI (ui/): built when its sources change, served by the platform at / ---
ui: ui/dist/index.html

ui/node_modules/.installed: ui/package-lock.json | check-node
	cd ui && npm ci --no-audit --no-fund --loglevel=error
	touch $@

ui/dist/index.html: $(UI_SOURCES) ui/node_modules/.installed
	cd ui && npm run --silent build
	touch $@

ui-test: ui/node_modules/.installed
	cd ui && npm test --silent

# Regenerate the UI's API types after a route or schema changes (a test says when).
ui-api: $(VENV)/.installed ui/node_modules/.installed
	$(BIN)/python -m daas.platform.openapi_document > ui/openapi.json
	cd ui && npm run --silent api-types

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

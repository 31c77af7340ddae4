# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export RAY_USAGE_STATS_ENABLED := 0

.PHONY: run test down status check-java

run: $(VENV)/.installed check-java
	$(BIN)/daas up

down: $(VENV)/.installed
	$(BIN)/daas down

status: $(VENV)/.installed
	$(BIN)/daas status

test: $(VENV)/.installed-test check-java
	$(BIN)/python -m pytest -q -ra

check-java:
	@command -v java >/dev/null || { echo "pypmml needs Java 8+ (e.g. apt-get install openjdk-17-jre-headless)"; exit 1; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

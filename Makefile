# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install the app, and launch it
#   make test   create .venv, install the app with its test tools, lint and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/orchestrator-desktop $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check desktop tests

test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.gui

# the self-contained application folder, in dist/orchestrator-desktop/ (see README, Packaging)
package: $(STAMP)
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install the app, and launch it
#   make test   create .venv, install the app with its test tools, lint, run every test, then
#               (noxfile.py) the portable tests on the other Pythons and the lowest Qt
#   make test NOX=   the main interpreter only (NOX_ARGS="-s qt_lowest" picks sessions)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOX ?= $(BIN)/nox
# the test files are spread over every core; PYTEST_ARGS="-n 0 ..." runs them in one process
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: run test lint bench package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/orchestrator-desktop $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check desktop tests noxfile.py

test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(if $(NOX),$(NOX) $(NOX_ARGS))

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.gui

# the self-contained application folder, in dist/orchestrator-desktop/ (see README, Packaging)
package: $(STAMP)
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) .nox build dist *.egg-info .pytest_cache .ruff_cache

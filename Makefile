# Two commands are the whole set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint format golden check bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
		|| { echo "need Python 3.11 or newer (set PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	HOTLINE_ENV=$${HOTLINE_ENV:-development} $(BIN)/hotline run --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check hotline tests bench
	$(BIN)/hotline flows check
	$(BIN)/python -m pytest -q $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(STAMP)
	$(BIN)/ruff check hotline tests bench
	$(BIN)/ruff format --check hotline tests bench

format: $(STAMP)
	$(BIN)/ruff format hotline tests bench
	$(BIN)/ruff check --fix hotline tests bench

golden: $(STAMP)
	$(BIN)/python -m tests.golden --update

check: $(STAMP)
	$(BIN)/hotline flows check

clean:
	rm -rf $(VENV) .hotline

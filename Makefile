# Accord: `make run` starts the embedded stack; `make test` runs every test level.
SHELL := /bin/bash
UV := $(shell scripts/ensure-uv.sh)
PYTEST := $(UV) run --frozen pytest

.PHONY: help install run demo test lint fmt unit integration e2e scenarios chaos e2e-embedded asyncapi bench bench-engine clean

help:
	@echo "make run        start tansu, the four services on SQLite and an SMTP sink (Ctrl-C stops)"
	@echo "make demo       walk the skeleton flow (starts the stack if it is not up)"
	@echo "make test       lint + type-check + unit + integration + end-to-end tests"
	@echo "make chaos      kill services, stop the broker and the database under load; print what was lost"
	@echo "make bench      print every throughput figure of docs/benchmarks.md in one run"
	@echo "make bench-engine  the engine's figures only (ARGS=\"--workers 1 --postgres\" and more: see docs/benchmarks.md)"

install:
	@$(UV) sync --frozen --all-packages --quiet
	@scripts/compile-bytecode.sh

run: install
	$(UV) run --frozen python -m accord_common.devstack run

demo: install
	$(UV) run --frozen python -m accord_common.devstack demo

test: install
	@scripts/ensure-system-deps.sh
	$(MAKE) --no-print-directory lint
	$(PYTEST) -q -m "not integration and not e2e"
	$(PYTEST) -q -m integration
	$(PYTEST) -q -m e2e tests/e2e tests/scenarios
	ACCORD_TEST_BROKER=tansu ACCORD_E2E_DATABASE=sqlite $(PYTEST) -q -m e2e tests/e2e/test_skeleton.py tests/e2e/test_underpayment.py

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy -p accord_common -p contract_registry -p reimbursement_engine -p obligation_tracker -p notifier -p console
	$(UV) run --frozen lint-imports

fmt: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

unit: install
	$(PYTEST) -q -m "not integration and not e2e"

integration: install
	$(PYTEST) -q -m integration

e2e: install
	@scripts/ensure-system-deps.sh
	$(PYTEST) -q -m e2e tests/e2e tests/scenarios

scenarios: install
	@scripts/ensure-system-deps.sh
	$(PYTEST) -q -m e2e tests/scenarios

asyncapi: install
	$(UV) run --frozen python -m accord_common.events.asyncapi > docs/asyncapi.yaml

chaos: install
	@scripts/ensure-system-deps.sh
	$(UV) run --frozen python scripts/chaos.py $(ARGS)

# One run, every figure of docs/benchmarks.md side by side (benchmarks/run_all.py): in-process pricing
# (the yardstick), the batch API and 835 ingest alone (the engine bench); the realistic 835 path end to
# end on SQLite and on PostgreSQL + Kafka; consumer events/s; amendment -> signed webhook p50/p99; GET a
# contract as of a date; re-pricing after a retroactive amendment on SQLite and on PostgreSQL + Kafka;
# then a table of the headline figures, rates as ratios to the yardstick, beside issue 11's aims.
# Sizes: BENCH_835_CLAIMS, BENCH_EVENTS, BENCH_REPRICE_CLAIMS.
BENCH_835_CLAIMS ?= 10000
BENCH_EVENTS ?= 20000
BENCH_REPRICE_CLAIMS ?= 100000
bench: install
	@scripts/ensure-system-deps.sh
	$(UV) run --frozen python benchmarks/run_all.py --claims-835 $(BENCH_835_CLAIMS) --events $(BENCH_EVENTS) \
		--reprice-claims $(BENCH_REPRICE_CLAIMS) $(ARGS)

bench-engine: install
	$(UV) run --frozen python -m reimbursement_engine.bench $(ARGS)

clean:
	rm -rf .data

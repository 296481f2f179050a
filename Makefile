# Two entry points for a fresh machine: `make run` (the main job) and `make test` (the whole suite).
# Each creates the virtualenv it needs; nothing is installed outside the checkout.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

$(BIN)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[platform,test]'
	touch $@

.PHONY: venv run test test-fast bench bench-daily-1m bench-queries-1m bench-partitioning
venv: $(BIN)/.installed

run: $(BIN)/.installed
	$(BIN)/pricewatch run --replay

test: $(BIN)/.installed
	$(BIN)/pytest

# The tests that start no process (no Scrapyd, crawl, CLI or pg_dump): a minute or so, for the edit-test loop.
test-fast: $(BIN)/.installed
	$(BIN)/pytest -m 'not slow'

bench: $(BIN)/.installed
	$(BIN)/python -m bench

# The daily cycle at 1M listing-regions, 7 days: about 15 minutes on 2 cores (RESULTS 7c); make bench runs it at 100k.
bench-daily-1m: $(BIN)/.installed
	$(BIN)/python -m bench.daily_cycle --listing-regions 1000000

# The report, web and BI queries at 1M listing-regions and 10M price periods: about 20 minutes on 2 cores, most
# of it generating the catalogue and the whole-catalogue reports (make bench runs it at 100k / 1M).
bench-queries-1m: $(BIN)/.installed
	$(BIN)/python -m bench.query_latency --listing-regions 1000000

# Monthly partitions of core.price_history against one table at 10M price periods: about 8 minutes on a quiet
# machine, 40 on a shared one (most of it generating the history).
bench-partitioning: $(BIN)/.installed
	$(BIN)/python -m bench.partitioning

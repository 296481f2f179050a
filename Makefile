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

.PHONY: venv run test bench
venv: $(BIN)/.installed

run: $(BIN)/.installed
	$(BIN)/pricewatch run --replay

test: $(BIN)/.installed
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python -m bench

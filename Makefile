# cxinsight: `make demo` sets everything up and runs the sample corpus; `make test` sets up and runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= .cxinsight
CX     := $(BIN)/cxinsight --store $(STORE)

.PHONY: install demo test bench clean

install: $(STAMP)

# CPU torch first (a local file here), or pip would fetch a multi-GB CUDA build for transformers.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: install
	$(CX) ingest corpus/episodes
	$(CX) episodes
	$(CX) ask "How do CX leaders get middle managers on board?"
	$(CX) ask "What did the airline do about its legacy surveys?"
	$(CX) ask "What is the capital of France?"
	$(CX) search "complaints backlog" -k 3
	$(CX) tactics

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/ingest_and_query.py

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache

# Two entry points, see README: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SAMPLE ?= corpus/samples/sample_banfa.docx

.PHONY: setup demo test lint bench clean

$(BIN)/docreview: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(BIN)/docreview

setup: $(BIN)/docreview

demo: setup
	$(BIN)/docreview check $(SAMPLE) --opinion out/审核意见书.docx --annotate out/批注稿.docx --fail-on never

test: setup
	$(BIN)/ruff check docreview tests benchmarks
	$(BIN)/python -m pytest -n 2

lint: setup
	$(BIN)/ruff check docreview tests benchmarks

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out build *.egg-info

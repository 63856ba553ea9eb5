# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# They create the virtual environment, install the project and what its tests need
# (Debian packages too, through apt-get), then build or test.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out

.DEFAULT_GOAL := help
.PHONY: help demo build validate test system-deps clean readme report

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

system-deps:  ## install the Debian packages the tests need (Java for the HermiT reasoner)
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing Java (default-jre-headless) for the OWL reasoner"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium (headless) to render the HTML report to PNG for review"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: $(STAMP)  ## build the knowledge graph from data/ into out/
	$(BIN)/aco-kg build --data data --out $(OUT)
	@echo
	@echo "The knowledge graph is in $(OUT)/ (graph.ttl, graph.nt, store/, ledger.csv, manifest.json)."
	@echo "Try: $(BIN)/aco-kg validate   or   $(BIN)/aco-kg --help"

build: demo  ## same as demo

validate: $(STAMP)  ## check data/ without publishing
	$(BIN)/aco-kg validate --data data

test: $(STAMP) system-deps  ## run every test (unit, property, doctest, ontology, crash)
	$(BIN)/python -m pytest

report: demo  ## write the power and concentration report to reports/report.html
	@mkdir -p reports
	$(BIN)/aco-kg report --store $(OUT)/store --out reports/report.html

clean:  ## remove the virtual environment and the outputs
	rm -rf $(VENV) $(OUT) .$(OUT).releases *.egg-info .pytest_cache .hypothesis

readme: $(STAMP)  ## regenerate the README's data dictionary section from data/datapackage.yaml
	$(BIN)/aco-kg dictionary --update README.md

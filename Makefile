# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# They create the virtual environment, install the project and what its tests need
# (Debian packages too, through apt-get), then build or test.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out

.DEFAULT_GOAL := help
.PHONY: help demo build validate check-sources test test-fast system-deps graphviz seccomp virtuoso serve bench-cli clean readme shapes cms-import docs queries golden-queries map bench bench-build bench-maps bench-report report

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

system-deps: graphviz seccomp virtuoso  ## install the Debian packages the tests need (Java for HermiT; Chromium and Graphviz for the maps; Virtuoso)
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing Java (default-jre-headless) for the OWL reasoner"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  echo "installing chromium and chromium-driver (map tests in a real browser)"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# the map lays out graphs over 400 nodes with Graphviz sfdp (networkx's spring layout is
# the slow fallback), so the demo installs it too
graphviz:  ## install Graphviz (sfdp) for the map layout
	@command -v sfdp >/dev/null 2>&1 || { \
	  echo "installing graphviz (sfdp, map layout)"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq graphviz >/dev/null; }

# Virtuoso Open Source, the second SPARQL store the tests load the graph into
# (tests/test_virtuoso.py starts it on free ports of 127.0.0.1 with a temporary database).
# Only its binaries: Debian's virtuoso-opensource package would also create a system-wide
# database and start it at install, on ports 1111 and 8890 of every interface, with the
# default dba password.
virtuoso:  ## install Virtuoso's server and SQL client (virtuoso-opensource-7-bin)
	@{ command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; } || { \
	  echo "installing virtuoso-opensource-7-bin (the second SPARQL store of the tests)"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource-7-bin >/dev/null; }

# the query worker seals itself from the network with a seccomp filter (kg.core.offline),
# through libseccomp
seccomp:  ## install libseccomp2 (seals the query worker from the network)
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('seccomp'))" || { \
	  echo "installing libseccomp2 (seals the query worker from the network)"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libseccomp2 >/dev/null; }

CMS     := data/cms
CMS_OUT := build-cms

cms-import: $(STAMP)  ## import the CMS files of data/cms/ into build-cms/ and discover their operators (generated)
	rm -rf $(CMS_OUT)
	$(BIN)/aco-kg import cms-mssp $(sort $(wildcard $(CMS)/mssp_results_*.csv)) \
	  --crosswalk $(CMS)/aco_id_crosswalk.csv --out $(CMS_OUT) --quiet
	$(BIN)/aco-kg import cms-roster $(CMS)/mssp_aco_roster_2023.csv --out $(CMS_OUT) --quiet
	$(BIN)/aco-kg import cms-participants $(CMS)/mssp_participants_2026.csv --out $(CMS_OUT)
	$(BIN)/aco-kg discover --cms $(CMS) --out $(CMS_OUT)

demo: $(STAMP) graphviz seccomp cms-import  ## import the CMS files and build them with the curated data into out/
	$(BIN)/aco-kg build --data data --data $(CMS_OUT) --out $(OUT)
	@echo
	@echo "The knowledge graph is in $(OUT)/: graph.ttl, graph.nt, store/ (Oxigraph), ledger.csv, manifest.json,"
	@echo "report.html (power and concentration) and map.html (interactive map; opens offline in a browser)."
	@echo "Try: source $(VENV)/bin/activate, then aco-kg queries, aco-kg serve (query editor) or aco-kg --help"

build: demo  ## same as demo

validate: $(STAMP)  ## check data/ without publishing
	$(BIN)/aco-kg validate --data data

# the plain-text copies of the sources are not in the repository: name their folder
SOURCES ?=
check-sources: $(STAMP)  ## check the figures and labels of data/ against the sources' texts in SOURCES=DIR
	@test -n "$(SOURCES)" || { echo "give the folder of the sources' plain-text copies: make check-sources SOURCES=DIR" >&2; exit 2; }
	$(BIN)/aco-kg check-sources --data data --sources $(SOURCES)

# Two tiers of tests (README, "Tests"). Both run on two worker processes, one test file per
# worker at a time (--dist loadfile: a file's module fixtures are built once). Both refuse
# to pass when too few tests ran: pytest exits 5 when none is collected, and --min-tests
# (tests/conftest.py) fails a run that selected fewer than the floor below, as a mistyped
# -m expression would. Raise a floor when the suite grows; lower it only with the tests.
# PYTHONDONTWRITEBYTECODE is emptied (Python reads an empty value as unset): pytest keeps
# its rewritten test modules as bytecode in __pycache__/ (git-ignored), so a run after the
# first does not rewrite and compile the tests again in each worker (about 3 s of each)
PYTEST      := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 --dist loadfile
FAST_SELECT := not slow
FAST_MIN    := 1415
FULL_MIN    := 2005

test: $(STAMP) system-deps  ## every test: the fast tier and the slow one (browser, Java reasoner, subprocesses, wheel, national size); about 3 min
	$(PYTEST) --min-tests $(FULL_MIN)

test-fast: $(STAMP)  ## the inner loop, under a minute: unit tests, doctests, query goldens on the tiny fixture (-m "not slow")
	$(PYTEST) -m "$(FAST_SELECT)" --min-tests $(FAST_MIN)

report: demo  ## write the report to reports/report.html (its CSV tables in reports/report-tables/)
	@mkdir -p reports
	$(BIN)/aco-kg report --store $(OUT)/store --out reports/report.html

clean:  ## remove the virtual environment and the outputs
	rm -rf $(VENV) $(OUT) .$(OUT).releases build-cms *.egg-info .pytest_cache .hypothesis docs/site

map: $(STAMP) system-deps  ## write the interactive map of the built graph to reports/map.html (run make demo first)
	$(BIN)/aco-kg map --store $(OUT)/store --out reports/map.html

bench: bench-build bench-maps bench-cli bench-report  ## every benchmark (not part of make test); results in BENCHMARKS.md

bench-cli: $(STAMP)  ## time aco-kg --help and a small query from the command line and through aco-kg serve
	$(BIN)/python bench/cli_bench.py --out BENCHMARKS.md

bench-report: demo system-deps  ## time the report step of make demo (analysis, charts, page, CSV files) and the page's height in Chromium
	$(BIN)/python bench/report_bench.py --out BENCHMARKS.md

bench-maps: $(STAMP) system-deps  ## time map layout and drawing in headless Chromium at three sizes, and the national map of make demo (out/) against its targets
	$(BIN)/python bench/map_bench.py $(if $(wildcard $(OUT)/graph.nt),--national $(OUT),) --out BENCHMARKS.md

readme: $(STAMP)  ## regenerate the README's data dictionary section from data/datapackage.yaml
	$(BIN)/aco-kg dictionary --update README.md

shapes: $(STAMP)  ## regenerate ontology/shapes-columns.ttl (the SHACL shapes of the columns) from data/datapackage.yaml
	$(BIN)/aco-kg dictionary --shapes ontology/shapes-columns.ttl

queries: $(STAMP)  ## list the canned queries (run one with .venv/bin/aco-kg query NAME)
	$(BIN)/aco-kg queries

serve: $(STAMP) seccomp  ## the query editor and read-only SPARQL endpoint on http://127.0.0.1:8000/ (run make demo first)
	$(BIN)/aco-kg serve --store $(OUT)/store

docs: demo  ## write docs/site/: the ontology reference (pyLODE) and the query catalogue
	$(BIN)/aco-kg docs --out docs/site --store $(OUT)/store
	@echo "Open docs/site/index.html"

golden-queries: $(STAMP)  ## rewrite tests/golden/queries/{tiny,data}/*.csv to review a change as a diff (why.yaml is written by hand)
	$(BIN)/python tests/make_query_golden.py

MORPH := bench/.venv-morph/.installed-stamp

$(MORPH):  # morph-kgc pins older rdflib, pyoxigraph and pandas: it gets its own venv
	$(PYTHON) -m venv bench/.venv-morph
	bench/.venv-morph/bin/python -m pip install --quiet "morph-kgc>=2.10,<2.11"
	@touch $(MORPH)

bench-build: $(STAMP) $(MORPH)  ## build/query benchmarks with morph-kgc and rdflib peers -> bench/results/
	$(BIN)/python bench/build_bench.py

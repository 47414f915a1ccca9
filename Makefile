# Two commands do everything on a fresh machine:
#   make timeline   set up .venv, install pinned dependencies, build data/raw into data/out
#   make test       run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: timeline test install clean gold-baseline bench bench-merge docs report-screenshot

timeline: $(STAMP)
	$(BIN)/timeline build data/raw --out data/out

test: $(STAMP)
	$(BIN)/python -m pytest -q

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf data/out $(VENV)

# Raise the accuracy floors in tests/gold/baseline.json to the current scores (never lowers one).
gold-baseline: $(STAMP)
	$(BIN)/python tests/gold/update_baseline.py

# Speed per stage, wall time, peak memory and start-up of `timeline build` on synthetic corpora of
# 10k, 100k and 1M items, each size in its own process (the 1M build takes about 20 minutes here, plus
# generating its corpus the first time; not part of make test). Choose sizes with SIZES="10000 100000"
# (and JOBS=N to pass --jobs to the builds); corpora are cached in bench/.corpus/, results written to
# bench/results.json.
SIZES ?= 10000 100000 1000000
bench: $(STAMP)
	$(BIN)/python bench/bench.py $(SIZES) $(if $(JOBS),--jobs $(JOBS))

# Merge alone: time and memory for 10k, 100k and 1M mentions made from the same synthetic corpus.
bench-merge: $(STAMP)
	$(BIN)/python bench/merge_bench.py

# docs/schema.md from timeline/data/schema.yaml (a test fails when the committed file is out of date).
docs: $(STAMP)
	$(BIN)/timeline schema --markdown > docs/schema.md.tmp && mv docs/schema.md.tmp docs/schema.md

# docs/report.png, the README's picture of the report of data/raw (installs Debian's chromium when missing, as the tests do).
report-screenshot: $(STAMP)
	$(BIN)/timeline build data/raw --out data/out --quiet
	$(BIN)/timeline report --out data/out
	$(BIN)/python tests/browser.py data/out/report.html docs/report.png

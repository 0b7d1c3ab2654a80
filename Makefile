# `make` sets up everything (virtual environment, pinned dependencies, the font) and builds
# both editions into output/; `make test` runs the tests. See README.md.
# `make ROOT=DIR` builds the edition in DIR (into DIR/output), and so for every edition target.
ROOT    := .
OUT     := $(ROOT)/output
PYTHON  := .venv/bin/python
SETUP   := .venv/.installed
FONT    := .venv/.font
TEXTS   := $(sort $(wildcard $(ROOT)/src_text/*.md))
# The output files' name is the metadata's `filename:` (the builder's default is the title, slugified).
NAME    := $(shell sed -n 's/^filename: *"\{0,1\}\([^"]*\)"\{0,1\} *$$/\1/p' $(firstword $(TEXTS)))
# Each edition depends on the text, the annotations, the code and its own styles only.
CODE    := $(shell find readingedition -path readingedition/template -prune -o \( -name '*.py' -o -name '*.json' -o -name '*.csl' -o -name '*.yaml' \) -print)
INPUTS  := $(TEXTS) $(wildcard $(ROOT)/annotations/*.yaml $(ROOT)/annotations/*.yml $(ROOT)/styles/*.csl) $(CODE) build.py
# Editions are dated by their last commit (the EPUB's dcterms:modified, the PDF's dates), unless
# SOURCE_DATE_EPOCH is set; outside a git checkout, by reproducible.py's fixed date.
SOURCE_DATE_EPOCH ?= $(shell git -C $(ROOT) log -1 --format=%ct -- . 2>/dev/null)
export SOURCE_DATE_EPOCH
EPUB    := $(OUT)/$(NAME).epub
PDF     := $(OUT)/$(NAME).pdf

.PHONY: all epub pdf check test clean clean-text bench setup
.DELETE_ON_ERROR:

all: $(EPUB) $(PDF)
epub: $(EPUB)
pdf: $(PDF)

$(EPUB): $(INPUTS) $(wildcard $(ROOT)/styles/epub*.css readingedition/styles/epub*.css) | $(SETUP) $(FONT)
	$(PYTHON) build.py epub --root $(ROOT)
$(PDF): $(INPUTS) $(wildcard $(ROOT)/styles/pdf*.css readingedition/styles/pdf*.css) | $(SETUP) $(FONT)
	$(PYTHON) build.py pdf --root $(ROOT)

setup: $(SETUP) $(FONT)
$(SETUP): pyproject.toml requirements.lock
	python3 -m venv .venv
	.venv/bin/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# EB Garamond comes from Debian's fonts-ebgaramond; HarfBuzz's subsetter (libharfbuzz-subset0)
# is what WeasyPrint embeds fonts with (without it, fontTools does, and the PDF's bytes differ
# from one machine to the next). Installing them needs root (as on CI).
$(FONT): | $(SETUP)
	@missing=""; fc-list | grep -qi "EB Garamond" || missing="fonts-ebgaramond"; \
	ldconfig -p | grep -q libharfbuzz-subset.so.0 || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; fi
	touch $@

ACE     := node_modules/.bin/ace-cli

check: $(EPUB) $(PDF) | $(ACE)
	$(PYTHON) build.py check --editions --root $(ROOT)

# DAISY Ace and foliate-js (the reading system of the tests) run on Debian's Chromium; Puppeteer
# must not download a browser of its own.
$(ACE): package.json package-lock.json
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Please install Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --silent
	touch $@

# pytest exits 5 when it ran no test: that must fail too.
test: | $(SETUP) $(FONT) $(ACE)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PYTHON) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: no tests ran" >&2; exit 1; fi; exit $$status

clean-text: | $(SETUP)
	$(PYTHON) build.py clean --root $(ROOT)

bench: | $(SETUP) $(FONT)
	$(PYTHON) bench/run.py

clean:
	rm -f $(OUT)/*.epub $(OUT)/*.pdf $(OUT)/.*.epub.* $(OUT)/.*.pdf.* output/bench.json
	rm -rf output/screenshots
	rm -rf $(ROOT)/.cache/readingedition

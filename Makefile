# PlaceDesk: `make run` opens the app on a demo database; `make test` runs every test.
# Both set up .venv first, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB := demo/placedesk-demo.sqlite

.PHONY: run test bench demo clean screenshot mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DEMO_DB): | $(STAMP)
	mkdir -p demo
	$(PY) -m placedesk demo --db $(DEMO_DB)

run: $(STAMP) $(DEMO_DB)
	$(PY) -m placedesk --db $(DEMO_DB)

test: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(PY) -m bench

demo: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(MAKE) $(DEMO_DB)

screenshot: $(STAMP) $(DEMO_DB)
	QT_QPA_PLATFORM=offscreen $(PY) -m placedesk.ui.screenshot --db $(DEMO_DB) --out docs/main-window.png
	QT_QPA_PLATFORM=offscreen $(PY) -m placedesk.ui.screenshot --db $(DEMO_DB) --all docs/screens

clean:
	rm -rf $(VENV) demo build *.egg-info mutants

# Mutation testing of the rule modules (slow: not part of `make test`); summary in docs/mutation.md.
# `make mutation GROUPS="leaving-care matching"` runs only those groups.
mutation: $(STAMP)
	$(PY) -m bench.mutation $(GROUPS)

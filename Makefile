# The two commands: `make test` and `make demo`. Both set up .venv when it is missing.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: test test-all demo venv clean-venv

venv: $(STAMP)

$(STAMP): install.sh pyproject.toml
	bash install.sh
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests

test-all: $(STAMP)
	$(PY) -m pytest -q tests

demo: $(STAMP)
	$(PY) -m arena.demo

clean-venv:
	rm -rf .venv

# The two commands: `make test` and `make demo` (`make demo-train` retrains the demo refiner first). Both set up .venv when it is missing.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: test test-all demo demo-train venv clean-venv

venv: $(STAMP)

$(STAMP): install.sh pyproject.toml
	bash install.sh
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests

# the property tests (tests/property) run with their `slow` profile: many more examples
test-all: $(STAMP)
	HYPOTHESIS_PROFILE=slow $(PY) -m pytest -q tests

demo: $(STAMP)
	$(PY) -m arena.demo

# retrain the demo refiner locally from scratch (hours on a CPU; resumable), then run the demo with it
demo-train: $(STAMP)
	$(PY) -m arena.demo --train

clean-venv:
	rm -rf .venv

"""Hypothesis profiles of the property tests.

``default`` (``make test``): a bounded, derandomised example budget, so CI is fast and reproducible.
``slow`` (``make test-all``, which sets ``HYPOTHESIS_PROFILE=slow``): many more examples, still
derandomised. No example database is written (the repository stays clean; failures are reproduced
from the derandomised seed and the explicit ``@example`` cases).
"""
import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, derandomize=True, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

settings.register_profile('default', max_examples=60, **_COMMON)
settings.register_profile('slow', max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'default'))

"""Hypothesis settings and shared fixtures for the whole suite.

Two profiles: "ci" (the default) keeps every property test small and reproducible so
the suite stays fast; "thorough" runs many more examples for local hunting:

    HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/engine
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,  # shared CI machines make per-example timings meaningless
    derandomize=True,  # the same examples on every run: a red build is reproducible
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    print_blob=True,
)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    """Run a test with Python's cycle collector on, then put it back as it was."""
    was = gc.isenabled()
    gc.enable()
    yield
    if was:  # the test may have switched it off itself
        gc.enable()
    else:
        gc.disable()


@pytest.fixture(autouse=True)
def _collector_left_as_found() -> Iterator[None]:
    """Fail the test that leaves the cycle collector switched off behind it."""
    was = gc.isenabled()
    yield
    if was and not gc.isenabled():
        gc.enable()
        pytest.fail("the test left the cycle collector disabled")

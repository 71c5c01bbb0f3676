"""Test configuration: hypothesis profiles and shared helpers.

Property tests draw fresh random examples on every run, in CI too: a failure
prints the example and a ``@reproduce_failure`` blob to replay it. On a
developer's machine (no ``CI`` in the environment) each property draws fewer
examples, so that ``pytest -m "not slow"`` stays under a minute; CI draws the
full hundred.
"""

from __future__ import annotations

import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], "print_blob": True}
settings.register_profile("ci", **_COMMON)
settings.register_profile("dev", max_examples=25, **_COMMON)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

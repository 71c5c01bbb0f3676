"""Optional test dependencies: skipped on a developer's machine without them, required in CI.

``pip install -e ".[test,peers]"`` installs every one; a developer who left out an
extra still gets a green run of what can run. In CI (``CI`` set, as ``.ci/run``
runs) a missing extra is an error, so the cross-checks can never be skipped
unnoticed there.
"""

from __future__ import annotations

import importlib
import os
import warnings
from types import ModuleType

import pytest

__all__ = ["in_ci", "require"]


def in_ci() -> bool:
    """True when the tests run in CI, where every optional dependency must be present."""
    return bool(os.environ.get("CI"))


def require(module: str, reason: str | None = None) -> ModuleType:
    """Import ``module``; skip the test (or module) without it, except in CI.

    Parameters
    ----------
    module
        The dotted name to import, e.g. ``"pygambit"``.
    reason
        How to install it, shown in the skip message.
    """
    if in_ci():
        # As importorskip does, ignore warnings raised while importing (a
        # deprecation notice of the module itself is not the test's failure).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(module)
    return pytest.importorskip(module, reason=reason)

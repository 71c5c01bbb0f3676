"""Optional dependencies skip on a developer's machine and fail in CI."""

from __future__ import annotations

import pytest

from tests.optional import require


def test_a_missing_extra_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="pip install nothing"):
        require("sim_no_such_module", reason="pip install nothing")


def test_a_missing_extra_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(ModuleNotFoundError, match="sim_no_such_module"):
        require("sim_no_such_module")

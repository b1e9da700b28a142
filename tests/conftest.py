"""Test-session hooks: the `external` marker (see tests/external.py)."""

from __future__ import annotations

import pytest

from .external import apply_marker


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    apply_marker(items)

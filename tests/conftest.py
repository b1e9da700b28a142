"""Test-session setup: a neutral locale, and the `external` marker (see tests/external.py)."""

from __future__ import annotations

import os

import pytest

from .external import apply_marker

# xlcust speaks the system locale's language when neither --lang nor Settings says otherwise:
# pin a neutral locale so a developer's Chinese desktop does not change what the tests expect.
for _var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    apply_marker(items)

"""The README's reference tables are generated from the code and must be current."""

from __future__ import annotations

from xlcust.checks.catalog import CATALOG
from xlcust.docs import README, render
from xlcust.settings import SPECS


def test_readme_is_up_to_date() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README is stale: run python -m xlcust.docs"


def test_readme_lists_every_code_and_setting() -> None:
    text = README.read_text(encoding="utf-8")
    assert all(f"`{code}`" in text for code in CATALOG)
    assert all(f"`{spec.key}`" in text for spec in SPECS)


def test_readme_starts_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    fence = lines.index("```bash")
    assert lines[fence + 1].startswith("pip install -e . && xlcust run ")
    assert lines[fence + 2] == 'pip install -e ".[test]" && pytest'

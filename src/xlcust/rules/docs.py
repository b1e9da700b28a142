"""The reference tables of docs/rules.md, generated from the code that defines them.

    python -m xlcust.rules.docs      # rewrite the marked sections of docs/rules.md

Sections sit between `<!-- NAME -->` and `<!-- /NAME -->` markers; a test fails when
the page is stale, so the names and functions a user reads are the ones the compiler knows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from ..docsections import fill_sections
from .functions import FUNCTIONS
from .metrics import markdown_table

PAGE = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def functions_table() -> str:
    lines = ["| function | gives |", "|---|---|"]
    for f in FUNCTIONS.values():
        lines.append(f"| `{f.signature}` | {f.doc} |")
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[], str]] = {
    "rules-metrics": markdown_table,
    "rules-functions": functions_table,
}


def render(text: str) -> str:
    """The page with every generated section brought up to date."""
    return fill_sections(text, SECTIONS)

if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGE
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(path)

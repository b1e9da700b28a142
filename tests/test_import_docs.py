"""docs/import.md stays in step with the code: every issue code and every recognised header is listed."""

from __future__ import annotations

from pathlib import Path

from xlcust.importer.mapping import IMPORT_SPECS
from xlcust.importer.report import IMPORT_CODES

DOC = (Path(__file__).resolve().parents[1] / "docs" / "import.md").read_text(encoding="utf-8")


def test_every_issue_code_is_documented_with_its_severity() -> None:
    for code, (severity, meaning) in IMPORT_CODES.items():
        assert f"| `{code}` | {severity.value} | {meaning} |" in DOC, code


def test_every_recognised_header_is_documented() -> None:
    for spec in IMPORT_SPECS.values():
        for column in spec.columns:
            line = next((ln for ln in DOC.splitlines() if ln.startswith(f"| `{column.name}` | ")), "")
            for name in (column.en, column.zh, *column.aliases):
                assert name in line, (column.name, name)

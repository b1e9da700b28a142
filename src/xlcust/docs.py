"""Reference tables in the README, generated from the code that defines them.

    python -m xlcust.docs        # rewrite the marked sections of README.md

Sections sit between `<!-- NAME -->` and `<!-- /NAME -->` markers; a test fails when
the README is stale, so the settings keys and finding codes a user reads are always
the ones the program knows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from .checks.catalog import CATALOG
from .docsections import fill_sections
from .i18n import translate
from .settings import SPECS, Settings, setting_rows

README = Path(__file__).resolve().parents[2] / "README.md"


def settings_table() -> str:
    defaults = {key: value for key, value, _ in setting_rows(Settings())}
    lines = [
        "### Settings 设置",
        "",
        "Every key has a default; a blank value means the default. 每个参数都有默认值，留空即用默认值。",
        "",
        "| key | default | meaning | 说明 |",
        "|---|---|---|---|",
    ]
    for spec in SPECS:
        default = defaults[spec.key]
        shown = "" if default in ("", None) else f"`{default}`"
        lines.append(f"| `{spec.key}` | {shown} | {spec.doc} | {translate(spec.doc, 'zh')} |")
    return "\n".join(lines)


def checks_table() -> str:
    lines = [
        "### Checks 检查项",
        "",
        "`xlcust check` reports each problem with its code, the cell (sheet, row, column) and what to do. "
        "Errors make the command exit 1; warnings and notes do not.",
        "",
        "| code | severity | meaning | 含义 | how to fix | 处理 |",
        "|---|---|---|---|---|---|",
    ]
    for code, e in CATALOG.items():
        lines.append(f"| `{code}` | {e.severity.value} | {e.en} | {e.meaning('zh')} | {e.fix} | {e.fix_in('zh')} |")
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[], str]] = {
    "settings-table": settings_table,
    "checks-table": checks_table,
}


def render(text: str) -> str:
    """README text with every generated section brought up to date."""
    return fill_sections(text, SECTIONS)

if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else README
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(path)

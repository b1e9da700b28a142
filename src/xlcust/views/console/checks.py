"""`xlcust check` on the console: the summary first, then the findings that matter.

The summary counts findings by severity and by code, each code with its one-line
meaning from the check catalog; then come the findings at or above the chosen
severity, one line each; the last line says how many were left out and which flag
shows them. `--json` (in the host) always carries every finding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console

from ...checks.catalog import CATALOG
from ...findings import Finding, Severity
from ...i18n import N_, translate
from ..findings import format_finding
from . import Column, render_table

COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def at_least(findings: Sequence[Finding], minimum: Severity) -> list[Finding]:
    """The findings as severe as `minimum` or more (error > warning > info)."""
    return [f for f in findings if f.severity.rank <= minimum.rank]


def print_check_summary(console: Console, findings: Sequence[Finding], lang: str) -> None:
    """Counts by code (most severe first), each code with what it means, and a total row."""
    by_code = Counter((f.severity, f.code) for f in findings)
    if not by_code:
        return
    rows = [(severity.label(lang), code, n, CATALOG[code].meaning(lang) if code in CATALOG else "")
            for (severity, code), n in sorted(by_code.items(), key=lambda item: (item[0][0].rank, item[0][1]))]
    render_table(console, translate("Findings by code", lang),
                 [Column(N_("Severity"), "code"), Column(N_("Code"), "code"), Column(N_("Count"), "int"),
                  Column(N_("Meaning"))],
                 rows, lang=lang, total=(None, "", len(findings), ""))


def print_findings(console: Console, findings: Sequence[Finding], lang: str, minimum: Severity) -> int:
    """One line per finding at or above `minimum`; returns how many were left out."""
    shown = at_least(findings, minimum)
    for f in shown:
        console.print(format_finding(f, lang), style=COLOURS[f.severity], markup=False, highlight=False)
    return len(findings) - len(shown)


def left_out_line(left_out: int, minimum: Severity, lang: str) -> str | None:
    """What the shortened list leaves out and the flag that shows it (None when nothing was)."""
    if not left_out:
        return None
    if minimum is Severity.ERROR:
        return translate("{n} warning and info line(s) not shown; --min-severity warning or --all shows them",
                         lang, n=f"{left_out:,}")
    return translate("{n} info line(s) not shown; --all (or --min-severity info) shows them", lang,
                     n=f"{left_out:,}")

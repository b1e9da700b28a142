"""`xlcust grades BOOK [--as-of D] [--json]`: metrics, dimension scores, score and grade per customer.

JSON: {"as_of", "items": [one per customer: customer_code, scores, grade, explanation,
explanation_zh, metrics…; money in yuan], "warnings": [...], "summary": {grade counts},
"parameters": {weights, thresholds, …}, "findings": [settings problems behind the score]}.
Exit 0; 1 when the figures behind the grades are incomplete or untrustworthy (errors on
the sheets they read, such as a missing required column, rows left out of the ledger or
weights not summing to 100: the findings say which); 2 when the command cannot run.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import N_, _, current_language
from .base import (
    AsOfOpt,
    BookArg,
    JsonOpt,
    LangOpt,
    app,
    emit_json,
    err,
    figures_findings,
    findings_json,
    ledger_for,
    out,
    report_outcome,
    run,
)


@app.command(help=N_("Credit grades: the grade distribution with exposure, the largest exposures and the early "
                     "warnings; --all lists every customer's metrics, dimension scores (scale, payment, stability, "
                     "risk) and score."))
def grades(
    book: BookArg,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    all_rows: Annotated[bool, typer.Option("--all", help=N_("Show every customer and every warning, not the "
                                                            "summary"))] = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust grades`: the credit score per customer."""

    def body() -> int:
        from ..credit import GRADES, grade_customers, parameters
        from ..credit.warnings import early_warnings
        from ..ledger import json_records
        from ..views.console.reports import print_grades

        registry, ledger = ledger_for(book, as_of)
        findings, coverage = figures_findings(registry, "grades", ledger)
        with err.status(_("Grading…")):
            figures = ledger.customer_figures()
            frame = grade_customers(registry, ledger, figures)
            warnings = early_warnings(registry, ledger, figures, frame)
        tally = frame["grade"].value_counts()
        counts = {g: int(tally.get(g, 0)) for g in GRADES}
        if as_json:
            emit_json({
                "as_of": ledger.as_of.isoformat(),
                "items": json_records(frame.reset_index()),
                "warnings": json_records(warnings),
                "summary": {"customers": len(frame), "grades": counts, "warnings": len(warnings)},
                "parameters": parameters(registry),
                **findings_json(findings, coverage),
            })
        else:
            names = ledger.categories["name"]
            print_grades(out, frame, warnings, ledger.as_of.isoformat(), tuple(GRADES), current_language(),
                         all_rows=all_rows, category_names={str(k): str(v) for k, v in names.items() if v == v})
        return report_outcome(book, findings, coverage)

    run(body, lang)

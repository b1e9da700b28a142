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
    money_text,
    out,
    print_table,
    report_outcome,
    run,
)

MAX_ROWS = 200


@app.command()
def grades(
    book: BookArg,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    all_rows: Annotated[bool, typer.Option("--all", help=f"Show every customer, not the first {MAX_ROWS}")] = False,
    lang: LangOpt = None,
) -> None:
    """Credit grades: metrics, dimension scores (scale, payment, stability, risk), score, grade, early warnings."""

    def body() -> int:
        from ..credit import GRADES, grade_customers, parameters
        from ..credit.warnings import early_warnings
        from ..ledger import json_records

        registry, ledger = ledger_for(book, as_of)
        findings, coverage = figures_findings(registry, "grades", ledger)
        with err.status("Grading…"):
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
            _print(frame, warnings, ledger.as_of.isoformat(), all_rows)
        return report_outcome(book, findings, coverage)

    run(body, lang)


def _print(frame, warnings, as_of: str, all_rows: bool) -> None:
    from ..credit import GRADES

    shown = frame if all_rows or len(frame) <= MAX_ROWS else frame.head(MAX_ROWS)
    print_table(
        f"Credit grades as of {as_of} ({len(frame)} customers)",
        ["customer", "name", "grade", "score", "scale", "payment", "stability", "risk", "net sales 12m",
         "exposure / limit", "explanation"],
        (
            (code, r.name, r.grade, f"{r.score:.1f}", f"{r.scale:.1f}", f"{r.payment:.1f}", f"{r.stability:.1f}",
             f"{r.risk:.1f}", money_text(r.revenue_12m), _exposure(r), r.explanation)
            for code, r in zip(shown.index, shown.itertuples(index=False), strict=True)
        ),
    )
    if len(shown) < len(frame):
        err.print(f"… {len(frame) - len(shown)} more customers; use --all or --json")
    if len(warnings):
        print_table(f"Early warnings ({len(warnings)})", ["warning", "customer / category", "evidence"],
                    ((w.code, w.customer_code or w.category_code, w.message)
                     for w in warnings.itertuples(index=False)))
    counts = frame["grade"].value_counts()
    out.print("  ".join(f"{g}: {int(counts.get(g, 0))}" for g in GRADES))


def _exposure(r) -> str:
    import pandas as pd

    if pd.isna(r.credit_limit):
        return money_text(r.exposure)
    flag = " OVER" if r.over_limit else (" near" if r.near_limit else "")
    return f"{money_text(r.exposure)} / {money_text(r.credit_limit)}{flag}"

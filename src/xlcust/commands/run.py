"""`xlcust run BOOK [--as-of D] [--out FILE] [--detail] [--json]`: the full refresh of the output sheets.

Everything the Refresh all button does, into the file. A detail sheet (Allocation, Settlement,
OpenItems, Collections) longer than Settings `detail_rows_in_book` keeps only its totals in
the book; `--detail` writes the full rows to the companion file beside it
(`CustomerLedger.detail.xlsx`, `xlcust.views.detail`), together with the book: both or neither.

JSON: {"book", "as_of", "findings": counts, "sheets": [names], "control": {...},
"links_past_excel_limit": {sheet: n}, "detail": {"file": path or null, "rows_in_book": limit,
"sheets": [{"sheet", "name", "rows", "where": "book" | "companion" | "not_written"}],
"links_past_excel_limit": {sheet: n} (the companion's)}}.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..findings import has_errors, summarize
from ..i18n import N_, _
from .base import (
    EXIT_FINDINGS,
    EXIT_OK,
    AsOfOpt,
    BookArg,
    JsonOpt,
    LangOpt,
    adopt_language,
    app,
    emit_json,
    err,
    money_text,
    parse_date_option,
    run,
    warn_flavour,
)


@app.command("run", help=N_("Everything the buttons do: checks, ledger, aging, provision, collections, into the "
                            "output sheets."))
def run_all(
    book: BookArg,
    as_of: AsOfOpt = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help=N_("Write the result to this file instead of updating BOOK"))
    ] = None,
    detail: Annotated[bool, typer.Option(
        "--detail", help=N_("Also write every detail sheet's rows (Allocation, Settlement, OpenItems, Collections) "
                            "to a companion file beside the workbook, BOOK.detail.xlsx; sheets longer than Settings "
                            "detail_rows_in_book keep only their totals in the workbook"))] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust run`: the full refresh of the output sheets."""

    def body() -> int:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from ..io import booklock
        from ..io.auditlog import read_audit_log
        from ..io.detail import companion_path, save_with_companion
        from ..io.reader import read_book
        from ..io.save import write_outputs
        from ..io.template import history_look
        from ..pipeline import STAGES
        from ..views.detail import place_detail
        from ..views.memory import bookkeeping_sheets
        from ..views.outputs import highlights
        from ..views.run import refresh_sheets

        when = parse_date_option(as_of, "--as-of")
        if out_path is not None:
            out_path.parent.mkdir(parents=True, exist_ok=True)
        target = out_path or book
        warn_flavour(book, out_path)
        with Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task(_("Reading the workbook"), total=len(STAGES) + 2)

            def step(stage: str) -> None:
                progress.update(task, advance=1, description=_(stage))

            # One run at a time on a book: a second one is refused now, not after minutes of work.
            with booklock.hold(target):
                registry = read_book(book)
                adopt_language(registry)
                result, sheets = refresh_sheets(registry, when, progress=step,
                                                recorded=read_audit_log(book).recorded())
                plan = place_detail(sheets, registry.settings, book_file=target.name, write_companion=detail)
                step(N_("Writing the workbook"))

                def save_book() -> dict[str, int]:
                    return write_outputs(book, [*plan.book, *bookkeeping_sheets(registry, history_look(registry))],
                                         edits=highlights(result.findings), out=out_path, since=registry.source)

                unlinked_aside: dict[str, int] = {}
                if plan.companion:
                    unlinked, unlinked_aside = save_with_companion(target, plan.companion, save_book)
                else:
                    unlinked = save_book()
            progress.update(task, advance=1)
        companion = companion_path(target) if plan.companion else None
        findings, ledger, totals = result.findings, result.ledger, result.totals
        counts = summarize(findings)
        summary = {
            "book": str(target),
            "as_of": ledger.as_of.isoformat(),
            "findings": counts,
            "sheets": [s.name for s in sheets],
            "control": {
                "transactions": totals.rows_in_sheet,
                "used": totals.rows_used,
                "debits": totals.debits,
                "credits": totals.credits,
                "balance": totals.net,
                "unapplied_credit": totals.unapplied_credit,
            },
            "links_past_excel_limit": unlinked,
            "detail": {
                "file": None if companion is None else str(companion),
                "rows_in_book": registry.settings.detail_rows_in_book,
                "sheets": [{"sheet": p.key, "name": p.sheet, "rows": p.rows, "where": p.where}
                           for p in plan.placements],
                "links_past_excel_limit": unlinked_aside,
            },
        }
        if as_json:
            from ..money import cents_to_decimal

            summary["control"] = {k: (cents_to_decimal(v) if k not in ("transactions", "used") else v)
                                  for k, v in summary["control"].items()}
            emit_json(summary)
        else:
            err.print(_("Wrote {n} output sheets to {target} (as of {as_of})", n=len(sheets), target=target,
                        as_of=ledger.as_of.isoformat()), markup=False)
            err.print("  " + _("checks: {error} error(s), {warning} warning(s), {info} note(s)", **counts),
                      markup=False)
            err.print("  " + _("ledger: {used} of {total} transaction rows; balance {balance} = open items {open} − "
                               "unapplied {unapplied}", used=f"{totals.rows_used:,}",
                               total=f"{totals.rows_in_sheet:,}", balance=money_text(totals.net),
                               open=money_text(totals.open_items), unapplied=money_text(totals.unapplied_credit)),
                      markup=False)
            for line in _detail_lines(plan.placements, companion, target, registry.settings.detail_rows_in_book):
                err.print("  " + line, markup=False, highlight=False)
            aside = {f"{companion.name} {sheet}": n for sheet, n in unlinked_aside.items()} if companion else {}
            for sheet, count in {**unlinked, **aside}.items():
                err.print("  " + _("{sheet}: {n} codes past Excel's 65,530 links per sheet are plain text (use the "
                                   "sheet's filter to find a row)", sheet=sheet, n=f"{count:,}"), markup=False)
        return EXIT_FINDINGS if has_errors(findings) else EXIT_OK

    run(body, lang)


def _detail_lines(placements, companion: Path | None, target: Path, limit: int) -> list[str]:
    """Where the detail went, when not all of it is simply in the book."""
    from ..views.detail import IN_COMPANION, NOT_WRITTEN, companion_name

    lines = []
    if companion is not None:
        lines.append(_("detail: every detail sheet's rows written to {file}", file=companion))
    moved = [p for p in placements if p.where == IN_COMPANION]
    if moved:
        lines.append(_("{sheets}: only the totals in the workbook (more than {limit} rows each)",
                       sheets=", ".join(f"{p.sheet} {p.rows:,}" for p in moved), limit=f"{limit:,}"))
    missing = [p for p in placements if p.where == NOT_WRITTEN]
    if missing:
        lines.append(_("{sheets}: only the totals written (more than {limit} rows each); xlcust run {book} --detail "
                       "writes the rows to {file}", sheets=", ".join(f"{p.sheet} {p.rows:,}" for p in missing),
                       limit=f"{limit:,}", book=target.name, file=companion_name(target.name)))
    return lines

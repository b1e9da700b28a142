"""The reclassification buttons on a live workbook: `xlcust reclassify [--apply]` through a host.

The rules, the diff and the edit list come from `xlcust.reclass` (`plan_apply`) and the
sheets from `xlcust.views`, as the command uses them; only the reading and writing
differ. The command saves one package atomically (`xlcust.io.reclass.apply_changes`); a
live workbook cannot be replaced while Excel
holds it, so the same edits go through the host: Customers cells, rows appended to the
CategoryHistory table, then the AuditLog and Reclass sheets rewritten. The AuditLog is
read from the live sheet, as the command reads it from the file.
"""

from __future__ import annotations

import datetime as dt

from ..audit import AUDIT_COLUMNS, audit_sheet_names
from ..book import Book
from ..checks import sort_by_sheet
from ..edits import AppendRows, CellEdit
from ..findings import has_errors, summarize
from ..i18n import msg, translate
from ..ledger import build_ledger
from ..memory import memory_after_changes
from ..reclass import AuditLog, diff, evaluate_rules, plan_apply, summarize_changes
from ..views.audit import audit_sheet
from ..views.edits import render_edits
from ..views.findings import format_finding
from ..views.memory import memory_sheet
from ..views.outputs import checks_sheet
from ..views.page import with_page
from ..views.reclass import reclass_sheet
from .host import Host
from .host import sheet_block as host_block


def audit_log_from_host(host: Host) -> AuditLog:
    """The AuditLog rows already in the live workbook (as `io.auditlog.read_audit_log` reads a file)."""
    from ..errors import UsageError

    wanted = {n.casefold() for n in audit_sheet_names()}
    name = next((s for s in host.sheet_names() if s.casefold() in wanted), None)
    if name is None:
        return AuditLog()
    grid = host.read_grid(name)
    first_headers = {AUDIT_COLUMNS[0][0].casefold(), AUDIT_COLUMNS[0][1].casefold()}
    header = next((i for i, r in enumerate(grid[:5]) if r and str(r[0]).strip().casefold() in first_headers), None)
    if header is None:
        if not any(any(v not in (None, "") for v in r) for r in grid):
            return AuditLog(name)
        raise UsageError(msg("the {name} sheet does not look like xlcust's AuditLog (no 'When' header in its first "
                             "rows); rename it to keep it, and xlcust will start a new one", name=name))
    width = len(AUDIT_COLUMNS)
    rows = []
    for r in grid[header + 1:]:
        values = [None if v == "" else v for v in (list(r) + [None] * width)[:width]]
        if any(v is not None for v in values):
            rows.append(tuple(values))
    return AuditLog(name, rows)


def reclassify(host: Host, book: Book, *, apply: bool, now: dt.datetime | None = None) -> str:
    """Dry run (the Reclass sheet) or apply (Customers, CategoryHistory, AuditLog, Reclass); the summary text."""
    lang = book.settings.language

    def sheet_block(sheet):  # each sheet printing as Settings say (paper, company)
        return host_block(with_page([sheet], book.settings)[0])

    ledger = build_ledger(book)
    result = evaluate_rules(book, ledger)
    log = audit_log_from_host(host)
    changes = diff(result, log.recorded())
    findings = sort_by_sheet(book, result.findings)
    summary = summarize_changes(changes)
    head = translate("{changes} change(s) for {customers} customer(s) as of {as_of}", lang,
                     changes=summary["changes"], customers=summary["customers"], as_of=result.as_of.isoformat())
    if findings:
        host.write_sheet(sheet_block(checks_sheet(findings, lang)))
    if has_errors(findings):
        host.write_sheet(sheet_block(reclass_sheet(changes, lang, book=book, as_of=result.as_of)))
        errors = [f for f in findings if f.severity.value == "error"][:3]
        return (translate("{head}, but the rules have {n} error(s), listed on the Checks sheet; nothing was applied.",
                          lang, head=head, n=summarize(findings)["error"])
                + "".join("\n• " + format_finding(f, lang).split(None, 1)[1] for f in errors))
    if not apply or not changes:
        host.write_sheet(sheet_block(reclass_sheet(changes, lang, book=book, as_of=result.as_of)))
        if not changes:
            return translate("{head}: the workbook already agrees with the rules.", lang, head=head)
        return translate("{head}, listed on the Reclass sheet. Press Apply reclassification to record them.",
                         lang, head=head)

    plan = plan_apply(book, result, changes, now=now)
    edits = render_edits(plan.edits, lang)
    host.set_cells([e for e in edits if isinstance(e, CellEdit)])
    for block in (e for e in edits if isinstance(e, AppendRows)):
        host.append_rows(block)
    host.write_sheet(sheet_block(audit_sheet([*log.rows, *plan.audit_rows], lang, log.sheet)))
    host.write_sheet(sheet_block(reclass_sheet(changes, lang, book=book, as_of=result.as_of, applied=True)))
    today = (now or dt.datetime.now()).date()
    host.write_sheet(host_block(memory_sheet(book, records=memory_after_changes(book, changes, today))))
    return translate("Applied {head}.\nCustomers updated; CategoryHistory: {closed} period(s) closed, {added} added; "
                     "{audit} AuditLog row(s).", lang, head=head, closed=plan.history_closed,
                     added=plan.history_added, audit=len(plan.audit_rows))

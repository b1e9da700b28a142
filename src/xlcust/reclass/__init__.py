"""Reclassification: what the rules change (dry run), and recording it (apply). DESIGN §3, docs/rules.md.

    from xlcust.reclass import evaluate_rules, diff, read_audit_log, reclass_sheet
    result = evaluate_rules(book, ledger)                       # RuleResult at ledger.as_of
    changes = diff(result, read_audit_log(path).recorded())     # [Change(customer_code, field, old, new, rule_id)]
    sheet = reclass_sheet(changes, lang, book=book, as_of=result.as_of)   # the Reclass output sheet

    pkg, book = read_for_apply(path)                            # for --apply: the same package is saved
    report = apply_changes(pkg, book, result, changes)          # Customers + CategoryHistory + AuditLog, atomic

Modules: `evaluate` (rules → outcome → changes), `lock` (CategoryHistory state, the
no-retroactive-change rule), `audit` (the append-only AuditLog, the rules hash),
`apply` (edits and the save), `sheets` (the Reclass sheet). The AuditLog sheet itself is
`xlcust.audit`, shared with the other commands that change user sheets.
"""

from .apply import ApplyReport, apply_changes, read_for_apply
from .audit import AuditLog, audit_sheet, read_audit_log, rules_hash
from .evaluate import FIELDS, Change, Recorded, RuleResult, diff, evaluate_rules, split_tags, summarize_changes
from .sheets import reclass_sheet

__all__ = [
    "FIELDS",
    "ApplyReport",
    "AuditLog",
    "Change",
    "Recorded",
    "RuleResult",
    "apply_changes",
    "audit_sheet",
    "diff",
    "evaluate_rules",
    "read_audit_log",
    "read_for_apply",
    "reclass_sheet",
    "rules_hash",
    "split_tags",
    "summarize_changes",
]

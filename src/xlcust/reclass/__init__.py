"""Reclassification: what the rules change (dry run), and recording it (apply). DESIGN §3, docs/rules.md.

    from xlcust.reclass import evaluate_rules, diff, plan_apply
    result = evaluate_rules(book, ledger)                       # RuleResult at ledger.as_of
    changes = diff(result, log.recorded())                      # [Change(customer_code, field, old, new, rule_id)]
    plan = plan_apply(book, result, changes)                    # --apply: edits + AuditLog rows, for a host

Modules: `evaluate` (rules → outcome → changes), `lock` (CategoryHistory state, the
no-retroactive-change rule), `audit` (the append-only AuditLog's state, its rows, the
rules hash), `apply` (the edit list). The AuditLog trail itself is `xlcust.audit`,
shared with the other commands that change user sheets. The Reclass and AuditLog sheets
are views (`xlcust.views.reclass`, `xlcust.views.audit`); reading the log and saving
the plan into a file is `xlcust.io.reclass` (`read_for_apply`, `apply_changes`,
`read_audit_log`), into live Excel `xlcust.excel.reclass_live`.
"""

from .apply import ApplyPlan, ApplyReport, plan_apply
from .audit import AuditLog, rules_hash
from .evaluate import FIELDS, Change, Recorded, RuleResult, diff, evaluate_rules, split_tags, summarize_changes

__all__ = [
    "FIELDS",
    "ApplyPlan",
    "ApplyReport",
    "AuditLog",
    "Change",
    "Recorded",
    "RuleResult",
    "diff",
    "evaluate_rules",
    "plan_apply",
    "rules_hash",
    "split_tags",
    "summarize_changes",
]

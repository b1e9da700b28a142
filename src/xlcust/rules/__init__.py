"""The rule language of the Rules sheet (DESIGN §3 "Rules"; users read docs/rules.md).

    from xlcust.rules import compile_rules, metrics_frame, Env, evaluate
    ruleset = compile_rules(book)            # RuleSet: rules in order + findings
    m = metrics_frame(book, ledger, ruleset.metrics)
    env = Env(m.frame)
    for rule in ruleset.runnable:
        matched = evaluate(rule.condition, env)  # bool ndarray, one per customer

Modules: `syntax` (lark LALR parser → nodes, limits, syntax errors; grammar in
`grammar.lark`), `metrics` (the names a rule can use, and their per-customer frame),
`compiler` (type checks; nodes → vectorised column operations), `functions` (AND,
HAS_TAG, …), `values` (how values are held while evaluating), `actions` (the Then
column), `ruleset` (the sheet: order, ids, findings). What the rules *do* to the
registry — the diff, history, AuditLog — is `xlcust.reclass`.

Rules are parsed and compiled, never `eval`-ed: the only things a rule can reach are
the metric columns and the functions in `functions.FUNCTIONS`.
"""

from .actions import GRADES, Action, ActionKind, compile_action
from .compiler import Expr, compile_condition, evaluate
from .functions import FUNCTIONS
from .metrics import BY_NAME, METRICS, Metric, Metrics, Type, credit_installed, metrics_frame
from .ruleset import Rule, RuleSet, compile_rules, rule_rows
from .syntax import RuleError, parse_action, parse_condition
from .values import Env, fold

__all__ = [
    "BY_NAME",
    "FUNCTIONS",
    "GRADES",
    "METRICS",
    "Action",
    "ActionKind",
    "Env",
    "Expr",
    "Metric",
    "Metrics",
    "Rule",
    "RuleError",
    "RuleSet",
    "Type",
    "compile_action",
    "compile_condition",
    "compile_rules",
    "credit_installed",
    "evaluate",
    "fold",
    "metrics_frame",
    "parse_action",
    "parse_condition",
    "rule_rows",
]

"""Syntax tree → typed, vectorised column operations.

Compiling resolves every name and function, checks types and argument counts, and
turns each node into one operation over whole columns (see `values` for how each
type is held): a rule costs a handful of array operations however many customers
there are, and no customer is ever visited in a Python loop. Nothing is `eval`-ed;
the only things a rule can reach are the metric columns and the functions in
`functions.FUNCTIONS`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import N_, Msg, msg
from ..schema import normalize_header
from .metrics import Metric, Type, known_names, lookup
from .syntax import Binary, Call, Compare, Name, Node, Number, RuleError, String, Unary
from .values import Env, bools, compare_dates, compare_numbers, compare_other, fold, numbers

N, T, D, B = Type.NUMBER, Type.TEXT, Type.DATE, Type.BOOL
MAX_DAYS = 1_000_000  # date ± more days than this is no date at all (and would overflow datetime64)


# -------------------------------------------------------------------- compiling


@dataclass(frozen=True)
class Expr:
    """A compiled node: its type, how to compute it, and its value when it is a constant."""

    type: Type
    run: Callable[[Env], Any]
    node: Node
    const: Any = None
    is_const: bool = False
    metric: Metric | None = None


@dataclass
class Context:
    """What compiling one condition needs and learns: its text, whether credit names exist, the names read."""

    text: str  # the condition as parsed (positions index into it)
    credit: bool = False  # whether credit metrics (score, grade, …) exist
    metrics: set[str] = field(default_factory=set)  # metric names the condition reads

    def snippet(self, node: Node, limit: int = 40) -> str:
        s = self.text[node.start:node.end]
        return s if len(s) <= limit else s[: limit - 1] + "…"


def compile_condition(node: Node, ctx: Context) -> Expr:
    """A condition: must be TRUE/FALSE; raises RuleError otherwise."""
    expr = compile_expr(node, ctx)
    if expr.type is not B:
        raise RuleError("RUL_NOT_CONDITION", msg("The condition '{condition}' is {kind}, not TRUE/FALSE",
                                                 condition=ctx.snippet(node), kind=a_kind(expr.type)), node.start,
                        msg("Compare it with something, e.g. {example}", example=_example_comparison(expr, ctx)))
    return expr


def compile_expr(node: Node, ctx: Context) -> Expr:
    if isinstance(node, Number):
        return constant(N, node.value, node)
    if isinstance(node, String):
        return constant(T, node.value, node)
    if isinstance(node, Name):
        return _name(node, ctx)
    if isinstance(node, Call):
        from .functions import compile_call  # functions build on this module, so import them late

        return compile_call(node, ctx)
    if isinstance(node, Unary):
        return _unary(node, ctx)
    if isinstance(node, Binary):
        return _binary(node, ctx)
    if isinstance(node, Compare):
        return _compare(node, ctx)
    raise RuleError("RUL_SYNTAX", "Unexpected construct", node.start)  # defensive: the parser makes no others


def constant(kind: Type, value: Any, node: Node) -> Expr:
    if kind is N:
        def run(env: Env) -> np.ndarray:
            return np.full(env.n, float(value))
    elif kind is T:
        folded = fold(value)

        def run(env: Env) -> Any:
            return pd.array(np.full(env.n, folded, dtype=object), dtype="string")
    elif kind is D:
        stamp = np.datetime64(value, "ns")

        def run(env: Env) -> np.ndarray:
            return np.full(env.n, stamp)
    else:
        def run(env: Env) -> Any:
            return bools(np.full(env.n, bool(value)), np.zeros(env.n, dtype=bool))
    return Expr(kind, run, node, value, True)


_BOOLEANS = {"true": True, "false": False, "真": True, "假": False}


def _name(node: Name, ctx: Context) -> Expr:
    word = normalize_header(node.name)
    if word in _BOOLEANS:
        return constant(B, _BOOLEANS[word], node)
    metric = lookup(node.name, credit=ctx.credit)
    if metric is None:
        raise _unknown_name(node, ctx)
    ctx.metrics.add(metric.name)

    def run(env: Env) -> Any:
        return env.column(metric)

    return Expr(metric.type, run, node, metric=metric)


def _unknown_name(node: Name, ctx: Context) -> RuleError:
    from .functions import FUNCTIONS

    word = normalize_header(node.name)
    if word in FUNCTIONS:
        f = FUNCTIONS[word]
        return RuleError("RUL_UNKNOWN_NAME", msg("{name} is a function: it needs brackets", name=node.name),
                         node.start, msg("Write {example}", example=f.signature))
    known = lookup(node.name, credit=True)
    if known is not None and known.source == "credit":
        return RuleError("RUL_UNKNOWN_NAME", msg("'{name}' needs credit scoring, which this xlcust does not have",
                                                 name=node.name), node.start,
                         msg("Install xlcust with credit scoring, or use ledger figures such as overdue_90_amount"))
    suggestion = closest(node.name, known_names(credit=ctx.credit))
    hint = (msg("Did you mean {name}?", name=suggestion) if suggestion
            else msg("See the list of names in docs/rules.md"))
    return RuleError("RUL_UNKNOWN_NAME", msg("Unknown name '{name}'", name=node.name), node.start, hint)


def closest(word: str, candidates: Sequence[str]) -> str | None:
    by_key = {c.casefold(): c for c in candidates}
    match = difflib.get_close_matches(word.casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


# ------------------------------------------------------------------- operators


def _unary(node: Unary, ctx: Context) -> Expr:
    operand = compile_expr(node.operand, ctx)
    if operand.type is not N:
        raise RuleError("RUL_TYPE_MISMATCH", msg("'{op}' needs a number, but '{operand}' is {kind}", op=node.op,
                                                 operand=ctx.snippet(node.operand), kind=a_kind(operand.type)),
                        node.start)
    if node.op == "+":
        return operand
    if operand.is_const:
        return constant(N, -operand.const, node)

    def run(env: Env) -> np.ndarray:
        return -operand.run(env)

    return Expr(N, run, node)


_ARITHMETIC = {"+": np.add, "-": np.subtract, "*": np.multiply}
_VERB = {  # one text per operator: word order differs between languages
    "+": N_("Cannot add {left_kind} ('{left}') and {right_kind} ('{right}')"),
    "-": N_("Cannot subtract {left_kind} ('{left}') and {right_kind} ('{right}')"),
    "*": N_("Cannot multiply {left_kind} ('{left}') and {right_kind} ('{right}')"),
    "/": N_("Cannot divide {left_kind} ('{left}') and {right_kind} ('{right}')"),
}


def _binary(node: Binary, ctx: Context) -> Expr:
    left, right = compile_expr(node.left, ctx), compile_expr(node.right, ctx)
    op = node.op
    if op == "-" and D in (left.type, right.type):
        left, right = coerce(left, right, ctx), coerce(right, left, ctx)
    lt, rt = left.type, right.type
    if lt is N and rt is N:
        return Expr(N, _arithmetic(op, left, right), node)
    if op in "+-" and lt is D and rt is N:
        return Expr(D, _shift(op, left, right), node)
    if op == "+" and lt is N and rt is D:
        return Expr(D, _shift(op, right, left), node)
    if op == "-" and lt is D and rt is D:
        def days(env: Env) -> np.ndarray:
            delta = left.run(env) - right.run(env)
            return (delta / np.timedelta64(1, "D")).astype("float64")  # NaT → NaN

        return Expr(N, days, node)
    hint: str | Msg = ""
    if T in (lt, rt) and op == "+":
        hint = msg("Text cannot be added up; compare texts with =, or test a part of one with STARTS_WITH / "
                   "CONTAINS")
    elif D in (lt, rt):
        hint = msg("Dates take + or - a number of days (as_of - 365), and date - date gives days")
    elif T in (lt, rt):
        hint = msg("Amounts and counts are numbers: remove the quotes around a number")
    raise RuleError("RUL_TYPE_MISMATCH", msg(_VERB[op], left_kind=a_kind(lt), left=ctx.snippet(node.left),
                                             right_kind=a_kind(rt), right=ctx.snippet(node.right)),
                    node.op_pos, hint)


def _arithmetic(op: str, left: Expr, right: Expr) -> Callable[[Env], np.ndarray]:
    if op == "/":
        def divide(env: Env) -> np.ndarray:
            a, b = left.run(env), right.run(env)
            with np.errstate(all="ignore"):
                return numbers(np.where(b == 0, np.nan, a / b))  # division by zero: no value, no match

        return divide
    ufunc = _ARITHMETIC[op]

    def run(env: Env) -> np.ndarray:
        with np.errstate(all="ignore"):
            return numbers(ufunc(left.run(env), right.run(env)))

    return run


def _shift(op: str, date: Expr, days: Expr) -> Callable[[Env], np.ndarray]:
    sign = 1 if op == "+" else -1

    def run(env: Env) -> np.ndarray:
        d, n = date.run(env), days.run(env)
        ok = np.isfinite(n) & (np.abs(n) <= MAX_DAYS)
        delta = (np.where(ok, np.round(n), 0).astype(np.int64) * sign).astype("timedelta64[D]")
        out = d + delta
        out[~ok] = np.datetime64("NaT")
        return out

    return run


def _compare(node: Compare, ctx: Context) -> Expr:
    left, right = compile_expr(node.left, ctx), compile_expr(node.right, ctx)
    left, right = coerce(left, right, ctx), coerce(right, left, ctx)
    return comparison(node.op, left, right, node, ctx, node.op_pos)


def comparison(op: str, left: Expr, right: Expr, node: Node, ctx: Context, pos: int) -> Expr:
    lt, rt = left.type, right.type
    if lt is not rt:
        raise _mismatch(left, right, ctx, pos)
    if lt is B and op not in ("=", "<>"):
        raise RuleError("RUL_TYPE_MISMATCH", msg("TRUE/FALSE values can only be compared with = or <>, not {op}",
                                                 op=op), pos)
    compare = {N: compare_numbers, D: compare_dates}.get(lt, compare_other)

    def run(env: Env) -> pd.arrays.BooleanArray:
        return compare(op, left.run(env), right.run(env))

    return Expr(B, run, node)


def _mismatch(left: Expr, right: Expr, ctx: Context, pos: int) -> RuleError:
    hint: str | Msg = ""
    for text_side, number_side in ((left, right), (right, left)):
        if text_side.type is T and number_side.type is N and number_side.is_const:
            typed = ctx.snippet(number_side.node)
            hint = msg('Put the code or word in double quotes: "{typed}"', typed=typed)
        elif text_side.type is T and text_side.is_const and number_side.type is N:
            hint = msg("Remove the quotes: {text}", text=text_side.const)
    if D in (left.type, right.type) and not hint:
        hint = msg('Compare dates with dates: DATE(2026, 1, 1) or "2026-01-01"')
    return RuleError("RUL_TYPE_MISMATCH", msg("Cannot compare {left_kind} ('{left}') with {right_kind} ('{right}')",
                                              left_kind=a_kind(left.type), left=ctx.snippet(left.node),
                                              right_kind=a_kind(right.type), right=ctx.snippet(right.node)),
                     pos, hint)


def coerce(value: Expr, other: Expr, ctx: Context) -> Expr:
    """A text constant next to a date becomes a date; next to `status` or `stage`, the canonical code."""
    if not (value.is_const and value.type is T):
        return value
    if other.type is D:
        from ..settings import parse_date

        try:
            return constant(D, parse_date(value.const), value.node)
        except (ValueError, TypeError):
            raise RuleError("RUL_BAD_DATE", msg("'{value}' is not a date", value=value.const), value.node.start,
                            msg('Write a date as "2026-01-01" or DATE(2026, 1, 1)')) from None
    if other.metric is not None and other.metric.name == "status":
        from ..archive import parse_status

        word = parse_status(value.const) if str(value.const).strip() else None
        if word is None:
            raise RuleError("RUL_BAD_VALUE", msg("'{value}' is not a status xlcust knows", value=value.const),
                            value.node.start, msg('Use "active", "inactive" or "dormant"'))
        return constant(T, word, value.node)
    if other.metric is not None and other.metric.name == "stage":
        from ..ledger.lifecycle import parse_stage

        stage = parse_stage(value.const)
        if stage is None:
            raise RuleError("RUL_BAD_VALUE", f"'{value.const}' is not a lifecycle stage", value.node.start,
                            'Use "potential", "new", "active", "dormant" or "lost" (潜在, 新, 活跃, 休眠, 流失)')
        return constant(T, stage, value.node)
    return value


# ------------------------------------------------------------------ wording


def a_kind(kind: Type) -> Msg:
    """What a value is, for a message ("a number", "text" …)."""
    return {N: msg("a number"), T: msg("text"), D: msg("a date"), B: msg("TRUE/FALSE")}[kind]


def _example_comparison(expr: Expr, ctx: Context) -> str:
    s = ctx.snippet(expr.node, 30)
    return {N: f"{s} > 0", T: f'{s} = "…"', D: f"{s} < as_of - 90"}.get(expr.type, f"{s} = TRUE")


def evaluate(condition: Expr, env: Env) -> np.ndarray:
    """Where the condition is TRUE (unknown counts as FALSE), as a bool ndarray."""
    with np.errstate(all="ignore"):
        result = condition.run(env)
    return np.asarray(pd.array(result, dtype="boolean").to_numpy(dtype=bool, na_value=False))

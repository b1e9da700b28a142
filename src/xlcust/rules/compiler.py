"""Syntax tree → typed, vectorised column operations.

Compiling resolves every name and function, checks types and argument counts, and
turns each node into one operation over whole columns (numpy arrays, pandas string
and boolean arrays): a rule costs a handful of array operations however many
customers there are, and no customer is ever visited in a Python loop. Nothing is
`eval`-ed; the only things a rule can reach are the metric columns and the functions
in `FUNCTIONS`.

Values while evaluating, one array element per customer:

    number      float64 ndarray, NaN when missing (a blank figure, a division by zero)
    text        pandas StringArray, folded (NFKC + casefold) so comparisons ignore case
                and full-width forms, as Excel's `=` does; NA when blank
    date        datetime64[ns] ndarray, NaT when missing
    true/false  pandas BooleanArray with three-valued (Kleene) logic: a comparison
                with a missing value is unknown (NA); AND(FALSE, NA) is FALSE,
                OR(TRUE, NA) is TRUE, NOT(NA) is NA. A rule matches where its
                condition is TRUE; unknown never matches.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import normalize_header
from .metrics import BY_NAME, Metric, Type, known_names, lookup
from .syntax import Binary, Call, Compare, Name, Node, Number, RuleError, String, Unary

N, T, D, B = Type.NUMBER, Type.TEXT, Type.DATE, Type.BOOL
MAX_DAYS = 1_000_000  # date ± more days than this is no date at all (and would overflow datetime64)


# --------------------------------------------------------------------- runtime


@dataclass
class Env:
    """The columns a compiled condition reads, converted once and cached."""

    frame: pd.DataFrame
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.frame)

    def column(self, metric: Metric) -> Any:
        key = ("column", metric.name)
        if key not in self._cache:
            values = self.frame[metric.name]
            if metric.type is N:
                self._cache[key] = values.to_numpy(dtype="float64", na_value=np.nan)
            elif metric.type is D:
                self._cache[key] = values.to_numpy(dtype="datetime64[ns]")
            else:
                self._cache[key] = fold_array(values.to_numpy(dtype=object))
        return self._cache[key]

    def tag_lists(self) -> pd.Series:
        """`;tag1;tag2;` per customer (folded), so one tag is one vectorised substring test."""
        key = ("tags", "")
        if key not in self._cache:
            raw = self.frame["tags"] if "tags" in self.frame.columns else pd.Series([None] * self.n, dtype=object)
            folded = pd.Series(fold_array(raw.to_numpy(dtype=object)), dtype="string").fillna("")
            self._cache[key] = ";" + folded.str.replace(TAG_SEPARATORS, ";", regex=True) + ";"
        return self._cache[key]


TAG_SEPARATORS = r"\s*[;,、|]\s*"  # after NFKC full-width ；and ，are ; and ,


def fold(text: str) -> str:
    """How text compares: NFKC (full-width → half-width), case-folded, outer spaces removed."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def fold_array(values: np.ndarray) -> pd.arrays.StringArray:
    s = pd.Series(values, dtype="string")
    return s.str.normalize("NFKC").str.strip().str.casefold().array


def _bools(values: np.ndarray, missing: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), np.asarray(missing, dtype=bool))


def _numbers(values: np.ndarray) -> np.ndarray:
    """Infinities (overflow) become missing, like a division by zero."""
    values = np.asarray(values, dtype="float64")
    return np.where(np.isfinite(values), values, np.nan)


_COMPARE = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
            ">=": operator.ge}


def _compare_numbers(op: str, a: np.ndarray, b: np.ndarray) -> pd.arrays.BooleanArray:
    with np.errstate(invalid="ignore"):
        return _bools(_COMPARE[op](a, b), np.isnan(a) | np.isnan(b))


def _compare_dates(op: str, a: np.ndarray, b: np.ndarray) -> pd.arrays.BooleanArray:
    return _bools(_COMPARE[op](a, b), np.isnat(a) | np.isnat(b))


def _compare_other(op: str, a: Any, b: Any) -> pd.arrays.BooleanArray:
    return _COMPARE[op](a, b)  # StringArray / BooleanArray comparisons are NA-aware already


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
        raise RuleError("RUL_NOT_CONDITION", f"The condition '{ctx.snippet(node)}' is {_a(expr.type)}, not "
                        "TRUE/FALSE", node.start,
                        "Compare it with something, e.g. " + _example_comparison(expr, ctx))
    return expr


def compile_expr(node: Node, ctx: Context) -> Expr:
    if isinstance(node, Number):
        return _constant(N, node.value, node)
    if isinstance(node, String):
        return _constant(T, node.value, node)
    if isinstance(node, Name):
        return _name(node, ctx)
    if isinstance(node, Call):
        return _call(node, ctx)
    if isinstance(node, Unary):
        return _unary(node, ctx)
    if isinstance(node, Binary):
        return _binary(node, ctx)
    if isinstance(node, Compare):
        return _compare(node, ctx)
    raise RuleError("RUL_SYNTAX", "Unexpected construct", node.start)  # defensive: the parser makes no others


def _constant(kind: Type, value: Any, node: Node) -> Expr:
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
            return _bools(np.full(env.n, bool(value)), np.zeros(env.n, dtype=bool))
    return Expr(kind, run, node, value, True)


_BOOLEANS = {"true": True, "false": False, "真": True, "假": False}


def _name(node: Name, ctx: Context) -> Expr:
    word = normalize_header(node.name)
    if word in _BOOLEANS:
        return _constant(B, _BOOLEANS[word], node)
    metric = lookup(node.name, credit=ctx.credit)
    if metric is None:
        raise _unknown_name(node, ctx)
    ctx.metrics.add(metric.name)

    def run(env: Env) -> Any:
        return env.column(metric)

    return Expr(metric.type, run, node, metric=metric)


def _unknown_name(node: Name, ctx: Context) -> RuleError:
    word = normalize_header(node.name)
    if word in FUNCTIONS:
        f = FUNCTIONS[word]
        return RuleError("RUL_UNKNOWN_NAME", f"{node.name} is a function: it needs brackets", node.start,
                         f"Write {f.signature}")
    known = lookup(node.name, credit=True)
    if known is not None and known.source == "credit":
        return RuleError("RUL_UNKNOWN_NAME", f"'{node.name}' needs credit scoring, which this xlcust does not "
                         "have", node.start, "Install xlcust with credit scoring, or use ledger figures such as "
                         "overdue_90_amount")
    suggestion = _closest(node.name, known_names(credit=ctx.credit))
    hint = f"Did you mean {suggestion}?" if suggestion else "See the list of names in docs/rules.md"
    return RuleError("RUL_UNKNOWN_NAME", f"Unknown name '{node.name}'", node.start, hint)


def _closest(word: str, candidates: Sequence[str]) -> str | None:
    by_key = {c.casefold(): c for c in candidates}
    match = difflib.get_close_matches(word.casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


# ------------------------------------------------------------------- operators


def _unary(node: Unary, ctx: Context) -> Expr:
    operand = compile_expr(node.operand, ctx)
    if operand.type is not N:
        raise RuleError("RUL_TYPE_MISMATCH", f"'{node.op}' needs a number, but '{ctx.snippet(node.operand)}' is "
                        f"{_a(operand.type)}", node.start)
    if node.op == "+":
        return operand
    if operand.is_const:
        return _constant(N, -operand.const, node)

    def run(env: Env) -> np.ndarray:
        return -operand.run(env)

    return Expr(N, run, node)


_ARITHMETIC = {"+": np.add, "-": np.subtract, "*": np.multiply}
_VERB = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}


def _binary(node: Binary, ctx: Context) -> Expr:
    left, right = compile_expr(node.left, ctx), compile_expr(node.right, ctx)
    op = node.op
    if op == "-" and D in (left.type, right.type):
        left, right = _coerce(left, right, ctx), _coerce(right, left, ctx)
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
    hint = ""
    if T in (lt, rt) and op == "+":
        hint = "Text cannot be added up; compare texts with =, or test a part of one with STARTS_WITH / CONTAINS"
    elif D in (lt, rt):
        hint = "Dates take + or - a number of days (as_of - 365), and date - date gives days"
    elif T in (lt, rt):
        hint = "Amounts and counts are numbers: remove the quotes around a number"
    raise RuleError("RUL_TYPE_MISMATCH", f"Cannot {_VERB[op]} {_a(lt)} ('{ctx.snippet(node.left)}') and "
                    f"{_a(rt)} ('{ctx.snippet(node.right)}')", node.op_pos, hint)


def _arithmetic(op: str, left: Expr, right: Expr) -> Callable[[Env], np.ndarray]:
    if op == "/":
        def divide(env: Env) -> np.ndarray:
            a, b = left.run(env), right.run(env)
            with np.errstate(all="ignore"):
                return _numbers(np.where(b == 0, np.nan, a / b))  # division by zero: no value, no match

        return divide
    ufunc = _ARITHMETIC[op]

    def run(env: Env) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _numbers(ufunc(left.run(env), right.run(env)))

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
    left, right = _coerce(left, right, ctx), _coerce(right, left, ctx)
    return _comparison(node.op, left, right, node, ctx, node.op_pos)


def _comparison(op: str, left: Expr, right: Expr, node: Node, ctx: Context, pos: int) -> Expr:
    lt, rt = left.type, right.type
    if lt is not rt:
        raise _mismatch(left, right, ctx, pos)
    if lt is B and op not in ("=", "<>"):
        raise RuleError("RUL_TYPE_MISMATCH", f"TRUE/FALSE values can only be compared with = or <>, not {op}", pos)
    compare = {N: _compare_numbers, D: _compare_dates}.get(lt, _compare_other)

    def run(env: Env) -> pd.arrays.BooleanArray:
        return compare(op, left.run(env), right.run(env))

    return Expr(B, run, node)


def _mismatch(left: Expr, right: Expr, ctx: Context, pos: int) -> RuleError:
    hint = ""
    for text_side, number_side in ((left, right), (right, left)):
        if text_side.type is T and number_side.type is N and number_side.is_const:
            typed = ctx.snippet(number_side.node)
            hint = f'Put the code or word in double quotes: "{typed}"'
        elif text_side.type is T and text_side.is_const and number_side.type is N:
            hint = f"Remove the quotes: {text_side.const}"
    if D in (left.type, right.type) and not hint:
        hint = 'Compare dates with dates: DATE(2026, 1, 1) or "2026-01-01"'
    return RuleError("RUL_TYPE_MISMATCH", f"Cannot compare {_a(left.type)} ('{ctx.snippet(left.node)}') with "
                     f"{_a(right.type)} ('{ctx.snippet(right.node)}')", pos, hint)


def _coerce(value: Expr, other: Expr, ctx: Context) -> Expr:
    """A text constant next to a date becomes a date; next to `status`, the canonical status word."""
    if not (value.is_const and value.type is T):
        return value
    if other.type is D:
        from ..settings import parse_date

        try:
            return _constant(D, parse_date(value.const), value.node)
        except (ValueError, TypeError):
            raise RuleError("RUL_BAD_DATE", f"'{value.const}' is not a date", value.node.start,
                            'Write a date as "2026-01-01" or DATE(2026, 1, 1)') from None
    if other.metric is not None and other.metric.name == "status":
        from ..archive import parse_status

        word = parse_status(value.const) if str(value.const).strip() else None
        if word is None:
            raise RuleError("RUL_BAD_VALUE", f"'{value.const}' is not a status xlcust knows", value.node.start,
                            'Use "active", "inactive" or "dormant" (正常, 停用, 休眠)')
        return _constant(T, word, value.node)
    return value


# -------------------------------------------------------------------- functions


@dataclass(frozen=True)
class Function:
    name: str
    signature: str
    min_args: int
    max_args: int | None
    build: Callable[[Call, list[Expr], Context], Expr]
    doc: str


def _call(node: Call, ctx: Context) -> Expr:
    key = normalize_header(node.function)
    f = FUNCTIONS.get(key)
    if f is None:
        if lookup(node.function, credit=ctx.credit) is not None:
            raise RuleError("RUL_UNKNOWN_FUNCTION", f"'{node.function}' is a name, not a function", node.start,
                            f"Drop the brackets: {node.function}")
        close = _closest(node.function, [g.name for g in FUNCTIONS.values()])
        hint = f"Did you mean {FUNCTIONS[normalize_header(close)].signature}?" if close else (
            "Functions: " + ", ".join(g.name for g in FUNCTIONS.values()))
        raise RuleError("RUL_UNKNOWN_FUNCTION", f"Unknown function '{node.function}'", node.start, hint)
    n = len(node.args)
    if n < f.min_args or (f.max_args is not None and n > f.max_args):
        if f.max_args == f.min_args:
            want = f"{f.min_args} argument" + ("s" if f.min_args != 1 else "")
        elif f.max_args is None:
            want = f"at least {f.min_args} argument" + ("s" if f.min_args != 1 else "")
        else:
            want = f"{f.min_args} to {f.max_args} arguments"
        raise RuleError("RUL_ARGUMENT_COUNT", f"{f.name} takes {want}, not {n}", node.start,
                        f"Write {f.signature}")
    args = [compile_expr(a, ctx) for a in node.args]
    return f.build(node, args, ctx)


def _need(f: str, arg: Expr, kind: Type, ctx: Context, position: int) -> None:
    if arg.type is not kind:
        hint = ""
        if kind is T and arg.type is N and arg.is_const:
            hint = f'Put it in double quotes: "{ctx.snippet(arg.node)}"'
        raise RuleError("RUL_TYPE_MISMATCH", f"Argument {position} of {f} must be {_a(kind)}, but "
                        f"'{ctx.snippet(arg.node)}' is {_a(arg.type)}", arg.node.start, hint)


def _need_constant_text(f: str, arg: Expr, ctx: Context, position: int) -> str:
    _need(f, arg, T, ctx, position)
    if not arg.is_const:
        raise RuleError("RUL_ARGUMENT", f"Argument {position} of {f} must be text in double quotes, not "
                        f"'{ctx.snippet(arg.node)}'", arg.node.start, f'Write {f}(…, "text")')
    return str(arg.const)


def _logic(name: str, combine: Callable[[Any, Any], Any]) -> Callable[[Call, list[Expr], Context], Expr]:
    def build(node: Call, args: list[Expr], ctx: Context) -> Expr:
        for i, a in enumerate(args, 1):
            _need(name, a, B, ctx, i)

        def run(env: Env) -> Any:
            out = args[0].run(env)
            for a in args[1:]:
                out = combine(out, a.run(env))
            return out

        return Expr(B, run, node)

    return build


def _not(node: Call, args: list[Expr], ctx: Context) -> Expr:
    _need("NOT", args[0], B, ctx, 1)
    arg = args[0]

    def run(env: Env) -> Any:
        return ~arg.run(env)

    return Expr(B, run, node)


def _in(node: Call, args: list[Expr], ctx: Context) -> Expr:
    value = args[0]
    tests = [_comparison("=", value, _coerce(option, value, ctx), node, ctx, option.node.start) for option in args[1:]]

    def run(env: Env) -> Any:
        out = tests[0].run(env)
        for t in tests[1:]:
            out = out | t.run(env)
        return out

    return Expr(B, run, node)


def _has_tag(node: Call, args: list[Expr], ctx: Context) -> Expr:
    tag = fold(_need_constant_text("HAS_TAG", args[0], ctx, 1))
    if not tag or any(ch in tag for ch in ";,、|"):
        raise RuleError("RUL_ARGUMENT", f"'{args[0].const}' is not one tag", args[0].node.start,
                        'Test one tag at a time: OR(HAS_TAG("VIP"), HAS_TAG("重点客户"))')
    ctx.metrics.add("tags")
    needle = f";{tag};"

    def run(env: Env) -> Any:
        return env.tag_lists().str.contains(needle, regex=False).array

    return Expr(B, run, node)


def _text_test(name: str, method: str) -> Callable[[Call, list[Expr], Context], Expr]:
    def build(node: Call, args: list[Expr], ctx: Context) -> Expr:
        _need(name, args[0], T, ctx, 1)
        part = fold(_need_constant_text(name, args[1], ctx, 2))
        subject = args[0]

        def run(env: Env) -> Any:
            strings = pd.Series(subject.run(env), dtype="string").str
            result = strings.startswith(part) if method == "startswith" else strings.contains(part, regex=False)
            return result.array

        return Expr(B, run, node)

    return build


def _date(node: Call, args: list[Expr], ctx: Context) -> Expr:
    parts = []
    for i, a in enumerate(args, 1):
        _need("DATE", a, N, ctx, i)
        if not a.is_const or float(a.const) != int(a.const):
            raise RuleError("RUL_ARGUMENT", f"Argument {i} of DATE must be a whole number typed in the rule",
                            a.node.start, "Write DATE(2026, 1, 31)")
        parts.append(int(a.const))
    try:
        return _constant(D, dt.date(*parts), node)
    except (ValueError, OverflowError):
        raise RuleError("RUL_BAD_DATE", f"DATE({', '.join(map(str, parts))}) is not a calendar date",
                        node.start, "Check year, month and day: DATE(2026, 1, 31)") from None


def _is_blank(node: Call, args: list[Expr], ctx: Context) -> Expr:
    arg = args[0]

    def run(env: Env) -> Any:
        values = arg.run(env)
        if arg.type is N:
            missing = np.isnan(values)
        elif arg.type is D:
            missing = np.isnat(values)
        elif arg.type is T:
            missing = pd.isna(values) | (pd.Series(values, dtype="string").fillna("") == "").to_numpy()
        else:
            missing = values.isna()
        return _bools(np.asarray(missing, dtype=bool), np.zeros(env.n, dtype=bool))

    return Expr(B, run, node)


def _numeric(name: str, reduce: Callable[..., np.ndarray]) -> Callable[[Call, list[Expr], Context], Expr]:
    def build(node: Call, args: list[Expr], ctx: Context) -> Expr:
        for i, a in enumerate(args, 1):
            _need(name, a, N, ctx, i)

        def run(env: Env) -> np.ndarray:
            out = args[0].run(env)
            if reduce is np.abs:
                return np.abs(out)
            for a in args[1:]:
                out = reduce(out, a.run(env))
            return out

        return Expr(N, run, node)

    return build


FUNCTIONS: dict[str, Function] = {normalize_header(f.name): f for f in (
    Function("AND", "AND(condition, condition, …)", 1, None, _logic("AND", operator.and_),
             "TRUE when every condition is TRUE"),
    Function("OR", "OR(condition, condition, …)", 1, None, _logic("OR", operator.or_),
             "TRUE when any condition is TRUE"),
    Function("NOT", "NOT(condition)", 1, 1, _not, "TRUE when the condition is FALSE"),
    Function("IN", 'IN(value, "a", "b", …)', 2, None, _in, "TRUE when the value equals one of the others"),
    Function("HAS_TAG", 'HAS_TAG("tag")', 1, 1, _has_tag, "TRUE when the customer's Tags cell holds this tag"),
    Function("STARTS_WITH", 'STARTS_WITH(text, "prefix")', 2, 2, _text_test("STARTS_WITH", "startswith"),
             'TRUE when the text begins with the prefix: STARTS_WITH(category_code, "01")'),
    Function("CONTAINS", 'CONTAINS(text, "part")', 2, 2, _text_test("CONTAINS", "contains"),
             'TRUE when the text contains the part: CONTAINS(name, "建设")'),
    Function("DATE", "DATE(year, month, day)", 3, 3, _date, "A date: DATE(2026, 1, 1)"),
    Function("ISBLANK", "ISBLANK(value)", 1, 1, _is_blank,
             "TRUE when the value is blank (no figure, empty cell)"),
    Function("ABS", "ABS(number)", 1, 1, _numeric("ABS", np.abs), "The number without its sign"),
    Function("MIN", "MIN(number, number, …)", 1, None, _numeric("MIN", np.minimum),
             "The smallest number (blank if any is blank)"),
    Function("MAX", "MAX(number, number, …)", 1, None, _numeric("MAX", np.maximum),
             "The largest number (blank if any is blank)"),
)}


# ------------------------------------------------------------------ wording


def _a(kind: Type) -> str:
    return {N: "a number", T: "text", D: "a date", B: "TRUE/FALSE"}[kind]


def _example_comparison(expr: Expr, ctx: Context) -> str:
    s = ctx.snippet(expr.node, 30)
    return {N: f"{s} > 0", T: f'{s} = "…"', D: f"{s} < as_of - 90"}.get(expr.type, f"{s} = TRUE")


def evaluate(condition: Expr, env: Env) -> np.ndarray:
    """Where the condition is TRUE (unknown counts as FALSE), as a bool ndarray."""
    with np.errstate(all="ignore"):
        result = condition.run(env)
    return np.asarray(pd.array(result, dtype="boolean").to_numpy(dtype=bool, na_value=False))


__all__ = ["BY_NAME", "FUNCTIONS", "Context", "Env", "Expr", "Function", "compile_condition", "compile_expr",
           "evaluate", "fold"]

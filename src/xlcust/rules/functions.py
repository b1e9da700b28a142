"""The functions a condition may call: AND, OR, NOT, IN, HAS_TAG, STARTS_WITH, CONTAINS, DATE, ISBLANK, ABS, MIN, MAX.

Each one checks its arguments when the rule is compiled and returns an `Expr` whose
run is a column operation. Arguments that shape the operation itself (the tag of
HAS_TAG, the prefix of STARTS_WITH, the parts of DATE) must be typed in the rule, so
nothing is decided per customer.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import Msg, msg
from ..schema import normalize_header
from .compiler import Context, Expr, a_kind, closest, coerce, comparison, compile_expr, constant
from .metrics import Type, lookup
from .syntax import Call, RuleError
from .values import Env, bools, fold

N, T, D, B = Type.NUMBER, Type.TEXT, Type.DATE, Type.BOOL


@dataclass(frozen=True)
class Function:
    name: str
    signature: str
    min_args: int
    max_args: int | None
    build: Callable[[Call, list[Expr], Context], Expr]
    doc: str


def compile_call(node: Call, ctx: Context) -> Expr:
    """A function call: the function, its argument count, then its own type checks."""
    key = normalize_header(node.function)
    f = FUNCTIONS.get(key)
    if f is None:
        if lookup(node.function, credit=ctx.credit) is not None:
            raise RuleError("RUL_UNKNOWN_FUNCTION", msg("'{name}' is a name, not a function", name=node.function),
                            node.start, msg("Drop the brackets: {name}", name=node.function))
        close = closest(node.function, [g.name for g in FUNCTIONS.values()])
        hint = (msg("Did you mean {name}?", name=FUNCTIONS[normalize_header(close)].signature) if close else
                msg("Functions: {names}", names=", ".join(g.name for g in FUNCTIONS.values())))
        raise RuleError("RUL_UNKNOWN_FUNCTION", msg("Unknown function '{name}'", name=node.function), node.start,
                        hint)
    n = len(node.args)
    if n < f.min_args or (f.max_args is not None and n > f.max_args):
        if f.max_args == f.min_args:
            want = msg("{n} argument(s)", n=f.min_args)
        elif f.max_args is None:
            want = msg("at least {n} argument(s)", n=f.min_args)
        else:
            want = msg("{low} to {high} arguments", low=f.min_args, high=f.max_args)
        raise RuleError("RUL_ARGUMENT_COUNT", msg("{function} takes {want}, not {n}", function=f.name, want=want, n=n),
                        node.start, msg("Write {example}", example=f.signature))
    args = [compile_expr(a, ctx) for a in node.args]
    return f.build(node, args, ctx)


def _need(f: str, arg: Expr, kind: Type, ctx: Context, position: int) -> None:
    if arg.type is not kind:
        hint: str | Msg = ""
        if kind is T and arg.type is N and arg.is_const:
            hint = msg('Put it in double quotes: "{typed}"', typed=ctx.snippet(arg.node))
        raise RuleError("RUL_TYPE_MISMATCH", msg("Argument {position} of {function} must be {kind}, but '{arg}' is "
                                                 "{arg_kind}", position=position, function=f, kind=a_kind(kind),
                                                 arg=ctx.snippet(arg.node), arg_kind=a_kind(arg.type)),
                        arg.node.start, hint)


def _need_constant_text(f: str, arg: Expr, ctx: Context, position: int) -> str:
    _need(f, arg, T, ctx, position)
    if not arg.is_const:
        raise RuleError("RUL_ARGUMENT", msg("Argument {position} of {function} must be text in double quotes, not "
                                            "'{arg}'", position=position, function=f, arg=ctx.snippet(arg.node)),
                        arg.node.start, msg('Write {function}(…, "text")', function=f))
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
    tests = [comparison("=", value, coerce(option, value, ctx), node, ctx, option.node.start) for option in args[1:]]

    def run(env: Env) -> Any:
        out = tests[0].run(env)
        for t in tests[1:]:
            out = out | t.run(env)
        return out

    return Expr(B, run, node)


def _has_tag(node: Call, args: list[Expr], ctx: Context) -> Expr:
    tag = fold(_need_constant_text("HAS_TAG", args[0], ctx, 1))
    if not tag or any(ch in tag for ch in ";,、|"):
        raise RuleError("RUL_ARGUMENT", msg("'{tags}' is not one tag", tags=args[0].const), args[0].node.start,
                        msg('Test one tag at a time: OR(HAS_TAG("VIP"), HAS_TAG("key account"))'))
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
            raise RuleError("RUL_ARGUMENT", msg("Argument {i} of DATE must be a whole number typed in the rule", i=i),
                            a.node.start, msg("Write DATE(2026, 1, 31)"))
        parts.append(int(a.const))
    try:
        return constant(D, dt.date(*parts), node)
    except (ValueError, OverflowError):
        raise RuleError("RUL_BAD_DATE", msg("DATE({parts}) is not a calendar date",
                                            parts=", ".join(map(str, parts))),
                        node.start, msg("Check year, month and day: DATE(2026, 1, 31)")) from None


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
        return bools(np.asarray(missing, dtype=bool), np.zeros(env.n, dtype=bool))

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

"""Rule text → syntax tree: the lark LALR parser, limits against hostile input, friendly errors.

Parsing never evaluates anything: the text becomes a small tree of frozen nodes
(`Number`, `String`, `Name`, `Call`, `Unary`, `Binary`, `Compare`) that the compiler
type-checks and turns into column operations. Before lark sees the text it is capped
in length and bracket depth; after parsing, the tree's depth is capped too (a long
chain `1+1+1+…` nests as deeply as brackets do), so no input can make the compiler
recurse without bound. Every problem is a `RuleError` carrying a code, the 0-based
character position and a suggestion; `xlcust.rules.ruleset` turns it into a Finding
on the rule's cell.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..i18n import N_, Joined, Msg, msg

MAX_CONDITION_CHARS = 1000
MAX_ACTION_CHARS = 300
MAX_DEPTH = 40  # brackets, function calls and operator chains, all counted together
MAX_NUMBER = 1e15  # larger literals are typing mistakes (and lose precision as floats)
MAX_NUMBER_CHARS = 40


class RuleError(Exception):
    """A problem in one rule's text: a finding in the making (internal to the rules package)."""

    def __init__(self, code: str, message: str | Msg, pos: int | None = None, suggestion: str | Msg = "") -> None:
        super().__init__(str(message))
        self.code = code
        # as a Finding does: the catalog texts for views (`text`, `fix`), their English for logs and tests
        self.text = message if isinstance(message, Msg) else None
        self.fix = suggestion if isinstance(suggestion, Msg) else None
        self.message = str(message)
        self.pos = pos
        self.suggestion = str(suggestion)


# ----------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Node:
    start: int  # 0-based position of the node's first character in the text
    end: int  # one past its last character


@dataclass(frozen=True)
class Number(Node):
    value: float


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node
    op_pos: int


@dataclass(frozen=True)
class Compare(Node):
    op: str
    left: Node
    right: Node
    op_pos: int


@dataclass(frozen=True)
class ActionSyntax:
    """The Then column as parsed: a word, an optional operator and a value (text or number)."""

    word: str
    word_pos: int
    op: str | None
    value: str | float
    value_text: str  # the value as typed, quotes included
    value_pos: int


# ---------------------------------------------------------------------- parsing


@cache
def _parser() -> Lark:
    grammar = files("xlcust.rules").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", start=["condition", "action"], propagate_positions=True,
                maybe_placeholders=True)


def normalize_text(text: str) -> str:
    """Full-width forms typed with a Chinese IME → half-width, one character for one.

    `（`, `，`, `＞`, `＂` and full-width digits become `(`, `,`, `>`, `"` and ASCII digits
    (NFKC), but only where that keeps one character, so positions in error messages
    still point at what the user typed.
    """
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def parse_condition(text: str) -> Node:
    """The When column as a syntax tree; raises RuleError on any problem."""
    text = normalize_text(text)
    if text.lstrip().startswith("="):  # typed like an Excel formula: drop the "=", keep the positions
        text = text.replace("=", " ", 1)
    _check_size(text, MAX_CONDITION_CHARS, "condition")
    tree = _parse(text, "condition")
    _check_depth(tree)
    return _build(tree.children[0], text)


def parse_action(text: str) -> ActionSyntax:
    """The Then column as (word, operator, value); raises RuleError on any problem."""
    text = normalize_text(text)
    _check_size(text, MAX_ACTION_CHARS, "action")
    tree = _parse(text, "action")
    word, op, value = tree.children
    assert isinstance(word, Token) and isinstance(value, Token)
    if value.type == "NUMBER":
        parsed: str | float = _number(value)
    else:
        parsed = _string(value)
    return ActionSyntax(str(word), word.start_pos, None if op is None else str(op), parsed, str(value),
                        value.start_pos)


def _check_size(text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        raise RuleError("RUL_TOO_LONG", msg("The {what} is {n} characters long; at most {limit} are allowed",
                                            what=msg(_WHAT[what]), n=f"{len(text):,}", limit=f"{limit:,}"), limit,
                        msg("Split it into several rules, or simplify the {what}", what=msg(_WHAT[what])))
    depth = 0
    in_string: str | None = None
    for i, ch in enumerate(text):
        if in_string is not None:
            if ch == in_string:
                in_string = None
        elif ch in "\"“":
            in_string = "”" if ch == "“" else '"'
        elif ch == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise RuleError("RUL_TOO_DEEP", msg("Brackets are nested more than {depth} deep", depth=MAX_DEPTH), i,
                                msg("Simplify the condition: AND(…) and OR(…) take many arguments, so conditions "
                                    "rarely need deep nesting"))
        elif ch == ")":
            depth -= 1


def _parse(text: str, start: str) -> Tree:
    try:
        return _parser().parse(text, start=start)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, start) from None
    except LarkError as exc:  # anything else lark may raise on odd input is still a syntax error
        raise RuleError("RUL_SYNTAX", msg("The {what} cannot be read ({reason})", what=msg(_WHAT[start]),
                                          reason=str(exc)), 0) from None


def _check_depth(tree: Tree) -> None:
    """Iteratively: how deep the tree nests (no recursion on untrusted input)."""
    stack: list[tuple[Tree | Token | None, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if depth > MAX_DEPTH:
            start = getattr(node.meta, "start_pos", 0) if not node.meta.empty else 0
            raise RuleError("RUL_TOO_DEEP", msg("The condition nests more than {depth} levels deep (brackets, "
                                                "functions and chains of + - * / all count)", depth=MAX_DEPTH), start,
                            msg("Simplify it, or split it into several rules"))
        stack.extend((child, depth + 1) for child in node.children)


# ----------------------------------------------------------- tree → nodes


def _build(tree: Tree | Token, text: str) -> Node:
    """lark tree → nodes; depth is already capped, so recursion here is bounded."""
    if isinstance(tree, Token):  # not produced by the grammar; defensive
        raise RuleError("RUL_SYNTAX", msg("Unexpected '{token}'", token=str(tree)), tree.start_pos)
    kind = tree.data
    start, end = tree.meta.start_pos, tree.meta.end_pos
    c = tree.children
    if kind == "number":
        return Number(start, end, _number(c[0]))
    if kind == "string":
        return String(start, end, _string(c[0]))
    if kind == "name":
        return Name(start, end, str(c[0]))
    if kind == "group":
        return _build(c[0], text)
    if kind == "call":
        args = tuple(_build(a, text) for a in c[1:] if a is not None)
        return Call(start, end, str(c[0]), args)
    if kind == "sign":
        return Unary(start, end, str(c[0]), _build(c[1], text))
    if kind in ("binary", "compare"):
        left, op, right = c
        cls = Binary if kind == "binary" else Compare
        return cls(start, end, str(op), _build(left, text), _build(right, text), op.start_pos)
    raise RuleError("RUL_SYNTAX", msg("Unexpected construct '{text}'", text=text[start:end]), start)  # defensive


def _number(token: Token) -> float:
    raw = str(token)
    if len(raw) > MAX_NUMBER_CHARS:
        raise RuleError("RUL_NUMBER_RANGE", msg("The number {start}… has {n} characters", start=raw[:20], n=len(raw)),
                        token.start_pos, msg("Type an amount in yuan, such as 500000 or 5e5"))
    percent = raw.endswith("%")
    value = float(raw[:-1] if percent else raw)
    if percent:
        value /= 100
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise RuleError("RUL_NUMBER_RANGE", msg("The number {number} is out of range (at most {limit})", number=raw,
                                                limit=f"{MAX_NUMBER:.0e}"),
                        token.start_pos, msg("Type a realistic amount or count"))
    return value


def _string(token: Token) -> str:
    raw = str(token)
    if raw.startswith("“"):
        return raw[1:-1]
    return raw[1:-1].replace('""', '"')


# -------------------------------------------------------------- syntax errors

_EXPECTED = {  # terminal → phrase, in the order phrases are listed
    "NUMBER": N_("a number"),
    "STRING": N_('text in double quotes'),
    "NAME": N_("a name"),
    "LPAR": N_("'('"),
    "RPAR": N_("')'"),
    "COMMA": N_("','"),
    "COMP_OP": N_("a comparison (= <> < <= > >=)"),
    "ADD_OP": N_("+ or -"),
    "MUL_OP": N_("* or /"),
    "$END": N_("the end"),
}

_CHAR_HINTS = {
    ".": N_("There is no attribute access (a.b); use a name from docs/rules.md, such as revenue_12m"),
    "'": N_('Text goes in double quotes: "VIP"'),
    "&": N_("Use AND(x, y) to require both"),
    "|": N_("Use OR(x, y) to accept either"),
    "!": N_("Use <> for 'not equal' and NOT(x) to negate"),
    "^": N_("There is no power operator; write the number out (1000000 or 1e6)"),
    ";": N_("Separate function arguments with commas: AND(x, y)"),
    "[": N_("Only round brackets ( ) are used"),
    "]": N_("Only round brackets ( ) are used"),
    "{": N_("Only round brackets ( ) are used"),
    "}": N_("Only round brackets ( ) are used"),
    '"': N_('A text is missing its closing double quote'),
    "“": N_("A text is missing its closing quote ”"),
    "#": N_("Excel error values cannot be used in a rule"),
    "$": N_("Cell references are not part of the rule language; use a metric name"),
    ":": N_("Cell ranges are not part of the rule language; use a metric name"),
    "@": N_("'@' is not part of the rule language"),
}


def _syntax_error(exc: UnexpectedInput, text: str, start: str) -> RuleError:
    what = "condition" if start == "condition" else "action"
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        ch = text[pos] if pos < len(text) else ""
        hint = _CHAR_HINTS.get(ch, "")
        return RuleError("RUL_SYNTAX", msg("Syntax error: '{char}' is not expected here{near}", char=ch,
                                           near=_near(text, pos)), pos, msg(hint) if hint else _default_hint(what))
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = _expected(exc.expected)
        if token.type == "$END":
            pos = len(text)
            missing = (msg("a ')' is missing") if "RPAR" in exc.expected and text.count("(") > text.count(")")
                       else msg("expected {expected}", expected=expected))
            return RuleError("RUL_SYNTAX", msg("The {what} ends too early: {missing}", what=msg(_WHAT[what]),
                                               missing=missing), pos,
                             msg("Complete the action: {example}", example=msg(_EXAMPLE[what])) if what == "action"
                             else msg("Complete the condition"))
        pos = token.start_pos
        hint = _token_hint(token, text, what)
        return RuleError("RUL_SYNTAX", msg("Syntax error: unexpected '{token}', expected {expected}{near}",
                                           token=str(token), expected=expected, near=_near(text, pos)), pos,
                         hint or _default_hint(what))
    pos = getattr(exc, "pos_in_stream", 0) or 0
    return RuleError("RUL_SYNTAX", msg("Syntax error{near}", near=_near(text, pos)), pos, _default_hint(what))


_EXAMPLE = {  # the action's tag and flag are the reader's words
    "condition": N_("AND(revenue_12m > 500000, overdue_90_count = 0)"),
    "action": N_('category = "0102", tag + "collect", tag - "VIP", grade = "D" or flag "check"'),
}
_WHAT = {"condition": N_("condition"), "action": N_("action")}


def _default_hint(what: str) -> Msg:
    return msg("Write it like {example}", example=msg(_EXAMPLE[what]))


def _expected(names: set[str] | frozenset[str]) -> Msg:
    phrases = [msg(phrase) for term, phrase in _EXPECTED.items() if term in names]
    if not phrases:
        return msg("something else")
    if len(phrases) == 1:
        return phrases[0]
    return msg("{some} or {last}", some=Joined(tuple(phrases[:-1]), ", "), last=phrases[-1])


def _token_hint(token: Token, text: str, what: str) -> Msg | str:
    before = text[: token.start_pos].rstrip()
    value = str(token)
    if value == "=" and before.endswith(("=", "<", ">")):
        return msg("Compare with a single = (and <> for 'not equal', <= and >= with no space)")
    if value == "=" and before.endswith("!"):
        return msg("Use <> for 'not equal'")
    if value == "*" and before.endswith("*"):
        return msg("There is no power operator; write the number out (1000000 or 1e6)")
    if token.type == "COMP_OP" and what == "condition":
        return msg("Compare one pair at a time: AND(a < b, b < c)")
    if token.type == "NAME" and value.lower() in ("and", "or", "not"):
        return msg("Write {function}(x, y) as a function, the way Excel does", function=value.upper())
    if token.type in ("NAME", "NUMBER", "STRING") and what == "condition":
        return msg("Two values in a row: is an operator or a comma missing? AND(x, y) separates conditions with ','")
    if what == "action":
        return _default_hint(what)
    return ""


def _near(text: str, pos: int) -> Msg | str:
    if not text:
        return ""
    lo = max(0, pos - 12)
    hi = min(len(text), pos + 12)
    excerpt = ("…" if lo else "") + text[lo:pos] + "⟨" + text[pos:pos + 1] + "⟩" + text[pos + 1:hi] + (
        "…" if hi < len(text) else "")
    return msg(" (near {excerpt})", excerpt=excerpt)

"""Rules → outcome per customer (`evaluate_rules`) → the changes it means (`diff`).

Semantics (docs/rules.md "How rules combine"):

* Active, error-free rules run in order: Priority (smaller first, blank last), then row.
  Every condition is evaluated on the same metrics — what an earlier rule does is not
  seen by a later rule's condition.
* **category**: the first matching category rule decides (a later one is ignored, even
  when the first keeps the customer where it is).
* **tag + / tag -**: accumulate in rule order; a tag added by one rule and removed by a
  later one is not changed at all.
* **grade**: the first matching grade rule decides; the override is output-only (Reclass
  sheet, AuditLog), never written to Customers.
* **flag**: every matching flag rule raises its flag; output-only like grades.

A category change takes effect on the as-of date and is recorded in CategoryHistory
(`xlcust.reclass.lock`). A customer whose Customers category differs from its open
history period (HIS_CHANGE_UNRECORDED / HIS_OPEN_MISMATCH) gets that change recorded
too, as of the same date, with no rule id.

Grades and flags have no cell of their own, so their recorded state is the AuditLog:
`diff` reports an override or flag when it first appears and when it goes away, and
nothing while it stands — so running `--apply` twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..codes import CategoryTree
from ..findings import Finding, error
from ..i18n import msg
from ..rules import ActionKind, Env, Rule, RuleSet, compile_rules, evaluate, fold, metrics_frame
from ..rules import metrics as metrics_module
from .lock import history_state, lock_problem

if TYPE_CHECKING:
    from ..book import Book
    from ..ledger import Ledger

FIELDS = ("category", "tags", "grade", "flag")
CREDIT_METRICS = frozenset(m.name for m in metrics_module.METRICS if m.source == "credit")
_SPLIT = re.compile(r"[;；,，、|]")


@dataclass(frozen=True)
class Change:
    """One thing a rule changes (or, with rule_id None, a change the history had not recorded)."""

    customer_code: str
    field: str  # category | tags | grade | flag
    old: str | None
    new: str | None
    rule_id: str | None
    customer_row: int | None = None  # the customer's row on the Customers sheet
    name: str | None = None
    effective: dt.date | None = None  # category changes: the date the new category applies from

    def to_json(self) -> dict:
        return {"customer_code": self.customer_code, "field": self.field, "old": self.old, "new": self.new,
                "rule_id": self.rule_id}


@dataclass
class Recorded:
    """Grade overrides and flags in force according to the AuditLog."""

    grades: dict[str, str] = field(default_factory=dict)  # customer → grade override
    flags: set[tuple[str, str, str]] = field(default_factory=set)  # (customer, rule id, flag text)


@dataclass
class _TagTrack:
    key: str  # folded
    display: str  # as the first rule typing it wrote it
    initial: np.ndarray  # had the tag before any rule
    has: np.ndarray  # has it after the rules so far
    rule: np.ndarray  # object: rule that last flipped it
    position: np.ndarray  # int: that rule's position in the run order


@dataclass
class RuleResult:
    """What the rules decide for every customer at `as_of`, and what it takes to record it."""

    as_of: dt.date
    ruleset: RuleSet
    customers: pd.DataFrame  # positional: customer_code, row, name, category_code, tags, grade (computed)
    history: pd.DataFrame  # positional: `lock.history_state`
    matched: dict[str, np.ndarray]  # rule id → customers it matched
    category: np.ndarray  # object: category after the rules (current when no rule decided)
    category_rule: np.ndarray  # object: rule that decided it (None: no category rule matched)
    category_change: np.ndarray  # bool: a category change to record
    category_old: np.ndarray  # object: what it changes from (the Customers cell, or the history period)
    history_change: np.ndarray  # bool: CategoryHistory needs a new period
    grade: np.ndarray  # object: grade override (None: none)
    grade_rule: np.ndarray
    flags: list[tuple[Rule, np.ndarray]]
    start: np.ndarray  # datetime64: earliest known date (opened_on, first transaction) for new history
    findings: list[Finding]
    rule_order: dict[str, int]
    _tags: dict[str, _TagTrack] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return len(self.customers)

    def tag_changes(self) -> dict[int, list[tuple[int, str, str, bool, str]]]:
        """Customer position → [(rule position, tag key, display, added, rule id)] in rule order."""
        out: dict[int, list[tuple[int, str, str, bool, str]]] = {}
        for track in self._tags.values():
            for i in np.flatnonzero(track.has != track.initial):
                out.setdefault(int(i), []).append(
                    (int(track.position[i]), track.key, track.display, bool(track.has[i]), track.rule[i]))
        for ops in out.values():
            ops.sort()
        return out

    def outcome(self) -> pd.DataFrame:
        """Per customer: category, tags, grade override and flags after the rules (for Metrics / reports)."""
        tags = self.customers["tags"].to_numpy(dtype=object).copy()
        for i, ops in self.tag_changes().items():
            tokens = split_tags(tags[i])
            for _, key, display, added, _rule in ops:
                tokens = _apply_tag(tokens, key, display, added)
            tags[i] = join_tags(tokens)
        flags = np.full(self.size, None, dtype=object)
        for rule, mask in self.flags:
            text = f"{rule.action.value} ({rule.rule_id})" if rule.action else rule.rule_id
            idx = np.flatnonzero(mask)
            flags[idx] = [text if f is None else f"{f}; {text}" for f in flags[idx]]
        return pd.DataFrame({
            "customer_code": self.customers["customer_code"].to_numpy(dtype=object),
            "category_code": self.category,
            "category_rule": self.category_rule,
            "tags": tags,
            "grade": self.customers["grade"].to_numpy(dtype=object),
            "grade_override": self.grade,
            "grade_rule": self.grade_rule,
            "flags": flags,
        })


def split_tags(cell: object) -> list[str]:
    """The tags of a Tags cell: separated by ; , 、 or | (half- or full-width)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    return [t.strip() for t in _SPLIT.split(str(cell)) if t.strip()]


def join_tags(tags: list[str]) -> str | None:
    return ";".join(tags) or None


def _apply_tag(tokens: list[str], key: str, display: str, added: bool) -> list[str]:
    if added:
        return tokens if any(fold(t) == key for t in tokens) else [*tokens, display]
    return [t for t in tokens if fold(t) != key]


# --------------------------------------------------------------------- evaluate


def evaluate_rules(book: Book, ledger: Ledger, as_of: dt.date | None = None) -> RuleResult:
    """Run the Rules sheet over every customer at the ledger's as-of date (see the module docstring)."""
    if as_of is not None and as_of != ledger.as_of:
        raise ValueError(f"the ledger is as of {ledger.as_of.isoformat()}, not {as_of.isoformat()}: build it at "
                         "the date the rules should see")
    as_of = ledger.as_of
    credit = metrics_module.credit_installed()
    ruleset = compile_rules(book, credit=credit)
    wanted = ruleset.metrics | {"name", "category_code", "tags", "opened_on", "first_txn_date"}
    if credit and any(r.action is not None and r.action.kind is ActionKind.GRADE for r in ruleset.runnable):
        wanted.add("grade")  # the computed grade a grade rule overrides, for the diff's "old"
    metrics = metrics_frame(book, ledger, wanted)
    frame = metrics.frame
    n = len(frame)
    env = Env(frame)
    findings = [*ruleset.findings, *metrics.findings]
    customers = pd.DataFrame({
        "customer_code": frame["customer_code"].to_numpy(dtype=object),
        "row": frame["row"].to_numpy(),
        "name": frame["name"].to_numpy(dtype=object),
        "category_code": frame["category_code"].to_numpy(dtype=object),
        "tags": frame["tags"].to_numpy(dtype=object),
        "grade": frame["grade"].to_numpy(dtype=object) if "grade" in frame.columns else np.full(n, None),
    })
    category_rule = np.full(n, None, dtype=object)
    decided = np.full(n, None, dtype=object)
    grade = np.full(n, None, dtype=object)
    grade_rule = np.full(n, None, dtype=object)
    flags: list[tuple[Rule, np.ndarray]] = []
    tags: dict[str, _TagTrack] = {}
    matched: dict[str, np.ndarray] = {}
    order: dict[str, int] = {}
    for position, rule in enumerate(ruleset.runnable):
        order[rule.rule_id] = position
        if metrics.credit_failed and rule.metrics & CREDIT_METRICS:
            continue
        try:
            mask = evaluate(rule.condition, env)
        except Exception as exc:  # a bug must not hide what the other rules do
            findings.append(error(
                "RUL_EVAL_FAILED", book.rules.name,
                msg("Rule {rule} failed while evaluating ({error}); it was skipped", rule=rule.rule_id,
                    error=": ".join((type(exc).__name__, str(exc)))),
                **book.rules.where("when", rule.row), value=rule.when,
                suggestion=msg("Please report this xlcust bug with the rule's text; the other rules ran normally")))
            continue
        matched[rule.rule_id] = mask
        action = rule.action
        assert action is not None
        if action.kind is ActionKind.CATEGORY:
            take = mask & (category_rule == None)  # noqa: E711 (elementwise on an object array)
            decided[take] = action.value
            category_rule[take] = rule.rule_id
        elif action.kind is ActionKind.GRADE:
            take = mask & (grade_rule == None)  # noqa: E711
            grade[take] = action.value
            grade_rule[take] = rule.rule_id
        elif action.kind is ActionKind.FLAG:
            flags.append((rule, mask))
        else:
            _tag(tags, env, action.value, action.remove, mask, rule.rule_id, position)

    current = customers["category_code"].to_numpy(dtype=object)
    by_rule = category_rule != None  # noqa: E711
    target = np.where(by_rule, decided, current)
    history = history_state(book, customers["customer_code"].to_numpy(dtype=object))
    has_history = history["rows"].to_numpy() > 0
    one_open = history["open"].to_numpy() == 1
    open_category = history["open_category"].to_numpy(dtype=object)
    edit = by_rule & (decided != current)
    tree = CategoryTree.from_book(book)
    known = pd.Series(current, dtype=object).isin(list(tree.rows)).to_numpy()
    sync = has_history & one_open & ~edit & known & (target != open_category)
    # No history rows, but xlcust remembers another category from its last run (`xlcust.memory`):
    # the Customers sheet was changed while the history was away; record it like any other change.
    remembered = book.remembered["category_code"].reindex(customers["customer_code"].to_numpy(dtype=object))
    remembered = remembered.to_numpy(dtype=object, na_value=None)
    recall = ~has_history & ~edit & known & ~pd.isna(remembered) & (remembered != current)
    change = edit | sync | recall
    history_change = change & np.where(has_history, target != open_category, True)
    old = np.where(edit, current, np.where(recall, remembered, open_category))

    for i in np.flatnonzero(change & has_history):
        what = (msg("to {target} by rule {rule}", target=target[i], rule=category_rule[i]) if edit[i] else
                msg("to {target} (the Customers sheet's category, not yet in history)", target=target[i]))
        problem = lock_problem(book, customers.at[i, "customer_code"], history.iloc[i], as_of, what)
        if problem is not None:
            findings.append(problem)
            change[i] = history_change[i] = False

    start = _earliest(frame)
    return RuleResult(
        as_of=as_of, ruleset=ruleset, customers=customers, history=history, matched=matched,
        category=target, category_rule=category_rule, category_change=change, category_old=old,
        history_change=history_change, grade=grade, grade_rule=grade_rule, flags=flags, start=start,
        findings=findings, rule_order=order, _tags=tags,
    )


def _tag(tags: dict[str, _TagTrack], env: Env, value: str, remove: bool, mask: np.ndarray, rule_id: str,
         position: int) -> None:
    key = fold(value)
    track = tags.get(key)
    if track is None:
        initial = np.asarray(env.tag_lists().str.contains(f";{key};", regex=False).to_numpy(dtype=bool))
        track = tags[key] = _TagTrack(key, value, initial, initial.copy(), np.full(env.n, None, dtype=object),
                                      np.full(env.n, -1, dtype=np.int64))
    flip = mask & track.has if remove else mask & ~track.has
    track.rule[flip] = rule_id
    track.position[flip] = position
    track.has = track.has & ~mask if remove else track.has | mask


def _earliest(frame: pd.DataFrame) -> np.ndarray:
    """The earlier of opened_on and the first transaction: where a synthesised history period starts."""
    opened = frame["opened_on"].to_numpy(dtype="datetime64[ns]")
    first = frame["first_txn_date"].to_numpy(dtype="datetime64[ns]")
    return np.where(np.isnat(opened), first, np.where(np.isnat(first), opened, np.minimum(opened, first)))


# ------------------------------------------------------------------------- diff


def diff(result: RuleResult, recorded: Recorded | None = None) -> list[Change]:
    """The changes `result` means against the workbook (and, for grades and flags, the AuditLog)."""
    recorded = recorded or Recorded()
    c = result.customers
    codes = c["customer_code"].to_numpy(dtype=object)
    rows = c["row"].to_numpy()
    names = c["name"].to_numpy(dtype=object)
    computed = c["grade"].to_numpy(dtype=object)
    keyed: list[tuple[tuple[int, int, int], Change]] = []

    def add(i: int, field_name: str, old: object, new: object, rule_id: str | None,
            effective: dt.date | None = None) -> None:
        rank = -1 if rule_id is None else result.rule_order.get(rule_id, -1)
        keyed.append(((i, FIELDS.index(field_name), rank), Change(
            str(codes[i]), field_name, None if old is None else str(old), None if new is None else str(new),
            rule_id, int(rows[i]), names[i], effective)))

    for i in np.flatnonzero(result.category_change):
        add(int(i), "category", result.category_old[i], result.category[i], result.category_rule[i], result.as_of)

    tag_cells = c["tags"].to_numpy(dtype=object)
    for i, ops in result.tag_changes().items():
        tokens = split_tags(tag_cells[i])
        for _, key, display, added, rule_id in ops:
            after = _apply_tag(tokens, key, display, added)
            add(i, "tags", join_tags(tokens), join_tags(after), rule_id)
            tokens = after

    position = {code: i for i, code in enumerate(codes)}
    for i in np.flatnonzero(result.grade_rule != None):  # noqa: E711
        now, before = result.grade[i], recorded.grades.get(codes[i])
        if now == before or (before is None and now == computed[i]):
            continue
        add(int(i), "grade", before if before is not None else computed[i], now, result.grade_rule[i])
    for code, before in sorted(recorded.grades.items()):
        i = position.get(code)
        if i is not None and result.grade_rule[i] is None:
            add(i, "grade", before, None, None)

    raised = {(str(codes[i]), rule.rule_id, rule.action.value): int(i)
              for rule, mask in result.flags if rule.action is not None for i in np.flatnonzero(mask)}
    for (code, rule_id, text), i in raised.items():
        if (code, rule_id, text) not in recorded.flags:
            add(i, "flag", None, text, rule_id)
    for code, rule_id, text in sorted(recorded.flags - set(raised)):
        i = position.get(code)
        if i is not None:
            add(i, "flag", text, None, rule_id)
    keyed.sort(key=lambda kc: kc[0])
    return [change for _, change in keyed]


def summarize_changes(changes: list[Change]) -> dict[str, object]:
    """Counts for reports: changes, customers, per field, per rule."""
    by_field = {f: 0 for f in FIELDS}
    by_rule: dict[str, int] = {}
    for ch in changes:
        by_field[ch.field] += 1
        key = ch.rule_id or "(history)"
        by_rule[key] = by_rule.get(key, 0) + 1
    return {"changes": len(changes), "customers": len({ch.customer_code for ch in changes}),
            "by_field": by_field, "by_rule": by_rule}

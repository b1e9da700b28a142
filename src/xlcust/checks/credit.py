"""The Risk sheet (风险表) of the credit score, and risk rows left in Settings.

A row these checks report as an error is left out of the score (`xlcust.credit.risk`
skips exactly these rows), so every customer still gets a risk score; the weights and
grade thresholds are checked with the other settings (`checks.settings`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import pandas as pd

from ..book import Book
from ..credit.risk import ANY_NAME, parse_kind, risk_key
from ..findings import Finding, error, info, warning
from ..i18n import N_, msg
from .cells import as_text, rows_with, shown
from .scaffold import readable

RISK_KINDS = {"industry": N_("industry"), "region": N_("region")}


def check_risk_kinds(book: Book) -> Iterator[Finding]:
    """Kind is industry / 行业 or region / 地区."""
    t = book.risk
    if not readable(t, "kind"):
        return
    for row, value in t.data["kind"].items():
        if parse_kind(value) is not None:
            continue
        typed = shown(t, "kind", row)
        what = msg("is blank") if typed == "" else msg("is '{typed}'", typed=typed)
        yield error(
            "SET_RISK_KIND", t.name,
            msg("Kind {what}; a Risk row is about an industry or a region, so it is ignored", what=what),
            **t.where("kind", row), value=typed or None,
            suggestion=msg("Type industry (行业) or region (地区)"),
        )


def check_risk_names(book: Book) -> Iterator[Finding]:
    """Every Risk row names the industry or region it scores."""
    t = book.risk
    if not readable(t, "name"):
        return
    for row, value in t.data["name"].items():
        if risk_key(value) is None:
            yield error(
                "SET_RISK_NAME_MISSING", t.name, msg("Name is blank, so the row scores nothing and is ignored"),
                **t.where("name", row),
                suggestion=msg("Type the industry or region as it is written in the Customers sheet, "
                               "or {any} for every name not listed", any=ANY_NAME),
            )


def check_risk_scores(book: Book) -> Iterator[Finding]:
    """Score is a whole number from 0 to 100."""
    t = book.risk
    if not readable(t, "score"):
        return
    unreadable = set(rows_with(t, "score", "bad", "error_value"))
    for row, value in t.data["score"].items():
        if row in unreadable or value is pd.NA:
            typed = shown(t, "score", row)
            what = msg("is blank") if typed == "" else msg("'{typed}' is not a whole number", typed=typed)
        elif not 0 <= int(value) <= 100:
            typed, what = as_text(value), msg("{value} is outside 0–100", value=value)
        else:
            continue
        yield error(
            "SET_RISK_SCORE", t.name, msg("Score {what}; the row is ignored", what=what),
            **t.where("score", row), value=typed or None,
            suggestion=msg("Type a whole number from 0 (riskiest) to 100 (safest)"),
        )


def check_risk_duplicates(book: Book) -> Iterator[Finding]:
    """One row per kind and name; the first one counts."""
    t = book.risk
    if not readable(t, "name"):
        return
    seen: dict[tuple[str, str], int] = {}
    for row, kind_cell, name in zip(t.data.index, t.data["kind"], t.data["name"], strict=True):
        kind, key = parse_kind(kind_cell), risk_key(name)
        if kind is None or key is None:
            continue
        if (kind, key) in seen:
            yield warning(
                "SET_RISK_DUPLICATE", t.name,
                msg("The {kind} '{name}' is already scored on row {first}; this row is ignored",
                    kind=msg(RISK_KINDS[kind]), name=name, first=seen[kind, key]),
                **t.where("name", row), value=str(name),
                suggestion=msg("Keep one row per industry or region"),
            )
        else:
            seen[kind, key] = int(row)


def check_risk_names_used(book: Book) -> Iterator[Finding]:
    """A Risk name no customer has is probably a typo (a note, with the closest name in use)."""
    t = book.risk
    if not readable(t, "name"):
        return
    customers = book.customers.data
    used = {
        kind: {risk_key(v): v for v in pd.unique(customers[kind].dropna()) if risk_key(v) is not None}
        for kind in ("industry", "region")
    }
    for row, kind_cell, name in zip(t.data.index, t.data["kind"], t.data["name"], strict=True):
        kind, key = parse_kind(kind_cell), risk_key(name)
        if kind is None or key is None or key == ANY_NAME or key in used[kind]:
            continue
        close = difflib.get_close_matches(key, list(used[kind]), n=1, cutoff=0.6)
        word = msg(RISK_KINDS[kind])
        must = msg("Names must match the {kind} column of the Customers sheet", kind=word)
        yield info(
            "SET_RISK_UNUSED", t.name, msg("No customer has the {kind} '{name}', so this row scores nobody",
                                           kind=word, name=name),
            **t.where("name", row), value=str(name),
            suggestion=msg("Did you mean '{close}'? {must}", close=used[kind][close[0]], must=must) if close
            else must,
        )


def check_risk_rows_in_settings(book: Book) -> Iterator[Finding]:
    """Risk rows typed into Settings (risk.… keys) are not read: the table lives on the Risk sheet."""
    st = book.settings_table
    if not st.present or "key" not in st.raw.columns:
        return
    for row, key in st.raw["key"].items():
        text = as_text(key).strip()
        if text.lower().startswith(("risk.", "风险.")):
            yield warning(
                "SET_RISK_IN_SETTINGS", st.name,
                msg("Setting '{text}' looks like a risk-table row; the credit score reads the Risk sheet, not this",
                    text=text),
                **st.where("key", row), value=text,
                suggestion=msg("Move it to the Risk sheet (风险表) as kind, name and score, and delete this row"),
            )


CHECKS = [
    check_risk_kinds,
    check_risk_names,
    check_risk_scores,
    check_risk_duplicates,
    check_risk_names_used,
    check_risk_rows_in_settings,
]

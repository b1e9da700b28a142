"""Planning a customer import: cleaned rows → new Customers (+ CategoryHistory) rows, or reasons.

Per source row, in file order:

1. every mapped cell is cleaned (`clean`); a cell that cannot be read rejects the row;
2. the name is required; the category is the file's (a code, or a category *name*)
   or the `--category` default, and must be a leaf (末级) category;
3. duplicates are skipped, never imported twice: a row whose code, tax ID or normalised
   name (`archive.normalize_name`) matches a registry customer or an earlier row of the
   file. A code that matches but names another customer is a conflict (rejected);
4. rows without a code get the next code of the pattern C + 4 digits, continuing the
   highest such code in the registry or the file (C0201 after C0200); blank mnemonics
   get the pinyin initials; a blank opened-on date gets the import date, which is also
   where the customer's CategoryHistory period starts.

Running the same file again finds every row already in the registry and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from ..archive import normalize_name
from ..i18n import msg, term
from ..mnemonic import mnemonic
from ..money import CENT
from ..schema import normalize_header
from .clean import (
    Cleaned,
    Where,
    clean_code,
    clean_date,
    clean_days,
    clean_number,
    clean_status,
    clean_tax_id,
    clean_text,
)
from .prepare import Prepared
from .registry import NewRows, Registry
from .report import ImportReport, issue, row_ranges

_TEXT_FIELDS = ("name", "short_name", "industry", "region", "contact", "address", "tags",
                # the rest of the T3 客户档案: written where the target's Customers sheet has the column
                "shipping_address", "settlement_method", "customer_type", "ownership", "bank", "salesperson",
                "department")
_CODE_FIELDS = ("code", "mnemonic", "category_code", "phone", "bank_account")


def clean_customer_columns(prep: Prepared, date_order: str | None) -> tuple[dict[str, Cleaned], list]:
    out: dict[str, Cleaned] = {}
    extra = []
    for f in prep.frame.columns:
        where = Where(prep.letter(f), f, prep.header(f), prep.typed)
        raw = prep.frame[f]
        if f in _TEXT_FIELDS:
            out[f] = clean_text(raw, where)
        elif f in _CODE_FIELDS:
            out[f] = clean_code(raw, where)
        elif f == "tax_id":
            out[f] = clean_tax_id(raw, where)
        elif f == "credit_limit":
            out[f] = clean_number(raw, where)
        elif f == "payment_terms_days":
            out[f] = clean_days(raw, where)
        elif f == "status":
            out[f] = clean_status(raw, where)
        elif f == "opened_on":
            out[f], order_issue = clean_date(raw, where, date_order)
            if order_issue is not None:
                extra.append(order_issue)
    return out, extra


def plan_customers(prep: Prepared, reg: Registry, report: ImportReport, *, default_category: str | None,
                   extra_leaves: frozenset[str], today: dt.date, user: str, source_name: str,
                   date_order: str | None = None) -> tuple[NewRows, NewRows]:
    """New Customers and CategoryHistory rows; every skip and rejection goes into `report`."""
    cleaned, extra = clean_customer_columns(prep, date_order)
    report.extend(extra)
    for c in cleaned.values():
        report.extend(c.issues)
    index = prep.frame.index
    bad = np.zeros(len(index), dtype=bool)
    for c in cleaned.values():
        bad |= c.bad
    value = {f: c.values.to_numpy(dtype=object) for f, c in cleaned.items()}
    n = len(index)
    col = {f: value.get(f, np.full(n, None, dtype=object)) for f in (*_TEXT_FIELDS, *_CODE_FIELDS, "tax_id",
                                                                      "credit_limit", "payment_terms_days",
                                                                      "status", "opened_on")}
    letter = {f: prep.letter(f) for f in prep.frame.columns}

    accepted: list[tuple[int, dict]] = []
    seen_code: dict[str, tuple[int, str]] = {}  # code → (source row, name key) of accepted rows
    seen_tax: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    defaulted: list[int] = []
    by_name_category: dict[str, list[int]] = {}
    for i, row in enumerate(index):
        row = int(row)
        if bad[i]:
            continue
        name = col["name"][i]
        if not name:
            report.add(issue("IMP_NAME_MISSING", msg("Row {row} has no customer name; not imported", row=row), row,
                             column=letter.get("name"), field="name",
                             suggestion=msg("Type the customer's registered name")))
            continue
        category = _category(col["category_code"][i], reg, default_category, extra_leaves, report, row,
                             letter.get("category_code"), by_name_category)
        if category is None:
            continue
        if col["category_code"][i] is None:
            defaulted.append(row)
        code, tax, key = col["code"][i], col["tax_id"][i], normalize_name(name)
        if _duplicate(report, reg, row, name, code, tax, key, seen_code, seen_tax, seen_name, letter):
            continue
        record = {f: col[f][i] for f in (*_TEXT_FIELDS, "code", "mnemonic", "phone", "bank_account", "tax_id",
                                         "status", "opened_on")}
        record["category_code"] = category
        record["credit_limit"] = _money(col["credit_limit"][i], report, row, letter.get("credit_limit"))
        if record["credit_limit"] is False:
            continue
        record["payment_terms_days"] = col["payment_terms_days"][i]
        accepted.append((row, record))
        if code:
            seen_code[code] = (row, key)
        if tax:
            seen_tax[tax] = row
        seen_name[key] = row

    for name, rows in by_name_category.items():
        report.add(issue("IMP_CATEGORY_BY_NAME", msg("Category '{name}' read as its code", name=name), rows,
                         column=letter.get("category_code"), field="category_code", value=name))
    if defaulted:
        report.add(issue("IMP_CATEGORY_DEFAULT", msg("{n} customer(s) without a category placed in '{category}' "
                                                     "(rows {rows}); rules or a later edit can refine it",
                                                     n=len(defaulted), category=default_category,
                                                     rows=row_ranges(defaulted)),
                         defaulted, field="category_code", new_value=default_category))
    return _finish(accepted, prep, reg, report, today, user, source_name)


def _category(raw: str | None, reg: Registry, default: str | None, extra_leaves: frozenset[str],
              report: ImportReport, row: int, letter: str | None, by_name: dict[str, list[int]]) -> str | None:
    where = {"column": letter, "field": "category_code"}
    if raw is None:
        if default is None:
            report.add(issue("IMP_CATEGORY_NONE", msg("Row {row} has no category and no default was given; "
                                                      "not imported", row=row), row, **where,
                             suggestion=msg("Run again with --category CODE (a leaf category for customers "
                                            "without one), or fill the category column")))
        return default
    code = raw.upper()
    if code not in reg.tree and code not in extra_leaves:
        found = reg.category_by_name.get(normalize_header(raw))
        if found is None:
            report.add(issue("IMP_CATEGORY_UNKNOWN", msg("Category '{category}' is not a code or name on the "
                                                         "{sheet} sheet; not imported", category=raw,
                                                         sheet=reg.book.categories.name), row, **where, value=raw,
                             suggestion=msg("Add the category to the {sheet} sheet first, or map the column away "
                                            "(--map 'HEADER=-') to use --category",
                                            sheet=reg.book.categories.name)))
            return None
        by_name.setdefault(raw, []).append(row)
        code = found
    if code in extra_leaves or reg.tree.is_leaf(code):
        return code
    leaves = reg.tree.leaves_under(code)
    report.add(issue("IMP_CATEGORY_NOT_LEAF", msg("Category '{category}' has sub-categories; customers belong to "
                                                  "leaf categories; not imported", category=code), row, **where,
                     value=raw,
                     suggestion=msg("Use one of {leaves}", leaves=reg.tree.describe(leaves)) if leaves else ""))
    return None


def _duplicate(report: ImportReport, reg: Registry, row: int, name: str, code: str | None, tax: str | None,
               key: str, seen_code: dict, seen_tax: dict, seen_name: dict, letter: dict) -> bool:
    """True when the row is a duplicate (skipped) or a code conflict (rejected); reported either way."""
    sheet = reg.book.customers.name
    if code:
        if code in reg.by_code:
            reg_row, _, reg_name = reg.by_code[code]
            if normalize_name(reg_name) == key:
                report.add(issue("IMP_DUPLICATE_IN_REGISTRY", msg("Customer '{code}' {name} is already in the "
                                                                  "registry ({sheet} row {row}); not imported again",
                                                                  code=code, name=name, sheet=sheet, row=reg_row),
                                 row, column=letter.get("code"), field="code", key=code))
            else:
                report.add(issue("IMP_CODE_CONFLICT", msg("Code '{code}' belongs to '{owner}' in the registry "
                                                          "({sheet} row {row}), not to '{name}'; not imported",
                                                          code=code, owner=reg_name, sheet=sheet, row=reg_row,
                                                          name=name), row,
                                 column=letter.get("code"), field="code", key=code, value=code,
                                 suggestion=msg("Correct the code, or leave it blank to give the customer a new "
                                                "one")))
            return True
        if code in seen_code:
            first, first_key = seen_code[code]
            if first_key == key:
                report.add(issue("IMP_DUPLICATE_IN_FILE", msg("Customer '{code}' repeats row {first}; imported once",
                                                              code=code, first=first),
                                 row, column=letter.get("code"), field="code", key=code))
            else:
                report.add(issue("IMP_CODE_CONFLICT", msg("Code '{code}' is already used by row {first} for another "
                                                          "customer; not imported", code=code, first=first), row,
                                 column=letter.get("code"), field="code", key=code,
                                 value=code, suggestion=msg("Give each customer its own code")))
            return True
    if tax:
        if tax in reg.by_tax:
            reg_row, reg_code, reg_name = reg.by_tax[tax]
            report.add(issue("IMP_DUPLICATE_IN_REGISTRY", msg("Tax ID {tax} is already the registry's customer "
                                                              "'{code}' {name} ({sheet} row {row}); not imported "
                                                              "again", tax=tax, code=reg_code, name=reg_name,
                                                              sheet=sheet, row=reg_row), row,
                             column=letter.get("tax_id"), field="tax_id", key=reg_code, value=tax))
            return True
        if tax in seen_tax:
            report.add(issue("IMP_DUPLICATE_IN_FILE", msg("Tax ID {tax} repeats row {first}; imported once", tax=tax,
                                                          first=seen_tax[tax]), row,
                             column=letter.get("tax_id"), field="tax_id", value=tax))
            return True
    if key in reg.by_name:
        reg_row, reg_code, reg_name = reg.by_name[key]
        report.add(issue("IMP_DUPLICATE_IN_REGISTRY", msg("'{name}' is the registry's customer '{code}' {owner} "
                                                          "({sheet} row {row}) by name; not imported again",
                                                          name=name, code=reg_code, owner=reg_name, sheet=sheet,
                                                          row=reg_row), row, column=letter.get("name"),
                         field="name", key=reg_code, value=name,
                         suggestion=msg("If it is another company, make the names differ (e.g. add the city)")))
        return True
    if key in seen_name:
        report.add(issue("IMP_DUPLICATE_IN_FILE", msg("'{name}' repeats row {first} by name; imported once",
                                                      name=name, first=seen_name[key]),
                         row, column=letter.get("name"), field="name", value=name))
        return True
    return False


def _money(value: Decimal | None, report: ImportReport, row: int, letter: str | None) -> Decimal | None | bool:
    """A credit limit to the cent (False when negative: the row is rejected)."""
    if value is None:
        return None
    if value < 0:
        shown = format(value.normalize(), "f")
        report.add(issue("IMP_CREDIT_LIMIT_INVALID", msg("Credit limit {amount} is negative; not imported",
                                                         amount=shown), row,
                         column=letter, field="credit_limit", value=shown,
                         suggestion=msg("Type the limit as a positive amount, or leave it blank to inherit")))
        return False
    rounded = value.quantize(CENT, rounding="ROUND_HALF_UP")
    if rounded != value:
        report.add(issue("IMP_ROUNDED", msg("Credit limit {amount} rounded to {rounded}", amount=str(value),
                                            rounded=str(rounded)), row, column=letter,
                         field="credit_limit", value=str(value), new_value=str(rounded)))
    return rounded


def _finish(accepted: list[tuple[int, dict]], prep: Prepared, reg: Registry, report: ImportReport,
            today: dt.date, user: str, source_name: str) -> tuple[NewRows, NewRows]:
    customers, history = NewRows("Customers"), NewRows("CategoryHistory")
    given = [c for c in prep.frame["code"].dropna().astype(str)] if "code" in prep.frame.columns else []
    number = reg.next_code_number(also_taken=given)
    has = reg.book.customers.columns
    now = dt.datetime.now().replace(microsecond=0)
    assigned, filled, opened = [], [], []
    for row, record in accepted:
        if not record["code"]:
            record["code"] = reg.code_for(number)
            number += 1
            assigned.append((row, record["code"]))
        if "mnemonic" in has and not record["mnemonic"]:
            record["mnemonic"] = mnemonic(record["name"]) or None
            if record["mnemonic"]:
                filled.append((row, record["mnemonic"]))
        if "opened_on" in has and record["opened_on"] is None:
            record["opened_on"] = today
            opened.append(row)
        customers.add(record, [row])
        history.add({
            "customer_code": record["code"], "category_code": record["category_code"],
            "valid_from": record["opened_on"] or today, "valid_to": None, "source": term("history source", "import"),
            "changed_at": now, "changed_by": user,
            "note": msg("xlcust import customers {file} row {row}", file=source_name, row=row),
        }, [row])
    for row, code in assigned:
        report.add(issue("IMP_CODE_ASSIGNED", msg("Row {row} had no code: assigned {code}", row=row, code=code), row,
                         field="code",
                         key=code, new_value=code))
    for row, value in filled:
        report.add(issue("IMP_MNEMONIC", msg("Row {row}: mnemonic {mnemonic} from the pinyin of the name", row=row,
                                             mnemonic=value), row,
                         field="mnemonic", new_value=value))
    if opened:
        report.add(issue("IMP_OPENED_TODAY", msg("{n} customer(s) without an opened-on date get {date} (rows {rows})",
                                                 n=len(opened), date=today.isoformat(), rows=row_ranges(opened)),
                         opened, field="opened_on",
                         new_value=today.isoformat()))
    if not reg.book.history.present:
        history = NewRows("CategoryHistory")  # no sheet: history starts from the current categories
    return customers, history

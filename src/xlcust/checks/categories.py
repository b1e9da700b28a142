"""Categories (客户分类): codes under the coding scheme, the tree, and per-category values."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..archive import first_duplicate_rows
from ..book import Book
from ..codes import CategoryTree, CodingScheme
from ..findings import Finding, error, warning
from ..i18n import Msg, msg
from .cells import (
    blank_mask,
    invalid_credit_limits,
    invalid_days,
    number_as_text,
    odd_cells,
    rows_with,
    shown,
    status,
)
from .scaffold import blank_rows, per_cell, readable

# VAT rates in use in China (general 13/9/6 %, simplified 3 %/5 %, reduced 1 %, exempt 0).
COMMON_TAX_RATES = (0.0, 0.01, 0.03, 0.05, 0.06, 0.09, 0.13)


def _scheme(book: Book) -> CodingScheme:
    return CodingScheme.from_settings(book.settings)


def _lengths_text(scheme: CodingScheme) -> str | Msg:
    lengths = [str(n) for n in scheme.lengths]
    if len(lengths) == 1:
        return lengths[0]
    return msg("{some} or {last}", some=", ".join(lengths[:-1]), last=lengths[-1])


def check_category_cells(book: Book) -> Iterator[Finding]:
    """Excel error values anywhere, and codes typed with stray or full-width spaces."""
    yield from odd_cells(book.categories, "CAT")


def check_category_codes(book: Book) -> Iterator[Finding]:
    """Each code is present, of [0-9A-Z], typed as text, and of a length the scheme allows."""
    t = book.categories
    if not readable(t, "code"):
        return
    scheme = _scheme(book)
    code_status = status(t, "code")
    yield from per_cell(error, "CAT_CODE_MISSING", t, "code", blank_rows(t, "code"), msg("Category code is blank"),
                        msg("Type a code of {lengths} characters (coding scheme {scheme})",
                            lengths=_lengths_text(scheme), scheme=str(scheme)))
    for row, code in t.data["code"].dropna().items():
        cell_status = code_status.get(row)
        if cell_status == "error_value":
            continue  # reported by check_category_cells
        if cell_status == "number":
            padded = scheme.pad_suggestion(code)
            if padded is not None:
                yield error(
                    "CAT_CODE_LEADING_ZEROS", t.name,
                    msg("Category code {code} is a number cell, so its leading zeros are lost; "
                        "coding scheme {scheme} needs {n} characters here",
                        code=code, scheme=str(scheme), n=len(padded)),
                    **t.where("code", row), value=code,
                    suggestion=msg("Format the column as Text and type '{padded}'", padded=padded),
                )
                continue
            if scheme.level_of(code) is not None:
                yield warning(
                    "CAT_CODE_NUMBER", t.name,
                    msg("Category code {code} is stored as a number; a code with leading zeros would lose them",
                        code=code),
                    **t.where("code", row), value=code,
                    suggestion=msg("Format the Code column as Text and retype the codes"),
                )
                continue
        if not scheme.is_valid_chars(code):
            upper = code.upper()
            yield error(
                "CAT_CODE_CHARS", t.name,
                msg("Category code '{code}' has characters other than digits 0-9 and capital letters A-Z", code=code),
                **t.where("code", row), value=shown(t, "code", row),
                suggestion=msg("Type '{upper}' (capital letters)", upper=upper) if scheme.is_valid_chars(upper)
                else msg("Use only digits 0-9 and capital letters A-Z, no spaces or symbols"),
            )
            continue
        if scheme.level_of(code) is None:
            yield error(
                "CAT_CODE_LENGTH", t.name,
                msg("Category code '{code}' has {n} characters; coding scheme {scheme} allows {lengths}",
                    code=code, n=len(code), scheme=str(scheme), lengths=_lengths_text(scheme)),
                **t.where("code", row), value=code,
                suggestion=msg("Correct the code, or change coding_scheme in Settings if {scheme} is wrong",
                               scheme=str(scheme)),
            )


def check_category_duplicates(book: Book) -> Iterator[Finding]:
    """A code appears once; every repeat is reported, naming the first row."""
    t = book.categories
    if not readable(t, "code"):
        return
    codes = t.data["code"]
    for row, first in first_duplicate_rows(codes).items():
        yield error(
            "CAT_DUPLICATE_CODE", t.name,
            msg("Category code '{code}' is already used on row {first}", code=codes[row], first=first),
            **t.where("code", row), value=codes[row],
            suggestion=msg("Give this category its own code, or delete the row if it repeats row {first}",
                           first=first),
        )


def check_category_parents(book: Book) -> Iterator[Finding]:
    """Below the top level, a category's parent (its prefix at the level above) exists."""
    t = book.categories
    if not readable(t, "code"):
        return
    tree = CategoryTree.from_frame(t.data, _scheme(book))
    for code, row in tree.rows.items():
        parent = tree.scheme.parent_of(code)
        if parent is not None and parent not in tree:
            yield error(
                "CAT_PARENT_MISSING", t.name,
                msg("Category '{code}' has no parent: category '{parent}' does not exist", code=code, parent=parent),
                **t.where("code", row), value=code,
                suggestion=msg("Add category '{parent}' on its own row, or correct this code", parent=parent),
            )


def check_category_names(book: Book) -> Iterator[Finding]:
    """Every category has a name."""
    t = book.categories
    if not readable(t, "name"):
        return
    coded = t.data["code"].notna() if t.has("code") else True
    for row in t.data.index[(blank_mask(t, "name") & coded).to_numpy()]:
        code = t.data.at[row, "code"]
        yield error(
            "CAT_NAME_MISSING", t.name, msg("Category '{code}' has no name", code=code),
            **t.where("name", row),
            suggestion=msg("Type the category name; reports and statements print it"),
        )


def check_category_tax_rates(book: Book) -> Iterator[Finding]:
    """Tax rates are between 0 and 1 (0%–100%); rates other than China's VAT rates are flagged."""
    t = book.categories
    if not readable(t, "tax_rate"):
        return
    yield from number_as_text(t, "tax_rate", "CAT_NUMBER_TEXT")
    for row in rows_with(t, "tax_rate", "bad"):
        value = shown(t, "tax_rate", row)
        yield error(
            "CAT_TAX_RATE_INVALID", t.name, msg("Tax rate '{value}' is not a rate", value=value),
            **t.where("tax_rate", row), value=value,
            suggestion=msg("Type a rate such as 13% or 0.13"),
        )
    rates = t.data["tax_rate"]
    known = rates.dropna()
    out_of_range = known[(known < 0) | (known > 1)]
    for row, rate in out_of_range.items():
        hint = (msg("If you meant {rate}%, type {rate}% or {fraction}", rate=format(rate, "g"),
                    fraction=format(rate / 100, "g"))
                if 1 < rate <= 100 else msg("Type a rate between 0% and 100%"))
        yield error(
            "CAT_TAX_RATE_INVALID", t.name, msg("Tax rate {rate} is outside 0–1 (0%–100%)", rate=format(rate, "g")),
            **t.where("tax_rate", row), value=shown(t, "tax_rate", row), suggestion=hint,
        )
    in_range = known[(known >= 0) & (known <= 1)]
    common = np.isclose(in_range.to_numpy()[:, None], np.array(COMMON_TAX_RATES)[None, :], atol=1e-9).any(axis=1)
    for row, rate in in_range[~common].items():
        yield warning(
            "CAT_TAX_RATE_UNUSUAL", t.name,
            msg("Tax rate {rate} ({percent}%) is not a common VAT rate (0, 1, 3, 5, 6, 9 or 13%)",
                rate=format(rate, ".4g"), percent=format(rate * 100, ".4g")),
            **t.where("tax_rate", row), value=shown(t, "tax_rate", row),
            suggestion=msg("Check the rate; ignore this if the category really uses it"),
        )


DAY_FIELDS = ("payment_terms_days", "reminder_days")


def check_category_days(book: Book) -> Iterator[Finding]:
    """Payment terms and reminder days are whole, non-negative numbers of days."""
    t = book.categories
    if not t.present:
        return
    for field in DAY_FIELDS:
        if not t.has(field):
            continue
        yield from number_as_text(t, field, "CAT_NUMBER_TEXT")
        yield from invalid_days(t, field, "CAT_DAYS_INVALID")


def check_category_credit_limits(book: Book) -> Iterator[Finding]:
    """Credit limits are amounts, not negative."""
    t = book.categories
    if not readable(t, "credit_limit"):
        return
    yield from number_as_text(t, "credit_limit", "CAT_NUMBER_TEXT")
    yield from invalid_credit_limits(t, "CAT_CREDIT_LIMIT_INVALID")


def check_category_active(book: Book) -> Iterator[Finding]:
    """The Active column holds yes/no words."""
    t = book.categories
    if not readable(t, "active"):
        return
    for row in rows_with(t, "active", "bad"):
        value = shown(t, "active", row)
        yield warning(
            "CAT_ACTIVE_INVALID", t.name,
            msg("Active '{value}' is not yes or no; the category is treated as active", value=value),
            **t.where("active", row), value=value,
            suggestion=msg("Type TRUE/FALSE, 是/否 or 1/0"),
        )


def check_category_provision_rates(book: Book) -> Iterator[Finding]:
    """A category's own provision rates are rates (0–100 %), one per aging bucket (like Settings')."""
    from ..settings import parse_rate_list

    t = book.categories
    if not readable(t, "provision_rates"):
        return
    bounds = book.settings.aging_bounds
    buckets = len(bounds) + 2  # Not due, one per bound, and over the last
    for row, cell in t.data["provision_rates"].items():
        if cell is None or str(cell).strip() == "":
            continue
        value = shown(t, "provision_rates", row)
        try:
            rates = parse_rate_list(cell)
        except ValueError as exc:
            yield error(
                "CAT_PROVISION_RATES", t.name,
                msg("Provision rates '{value}': {problem}; the parent's or Settings' rates apply", value=value,
                    problem=exc.args[0] if exc.args else str(exc)),
                **t.where("provision_rates", row), value=value,
                suggestion=msg("Type one rate per aging bucket, Not due first, such as 0,1%,5%,10%,30%,100%"),
            )
            continue
        if len(rates) != buckets:
            yield error(
                "CAT_PROVISION_RATES", t.name,
                msg("{n} provision rate(s) for {buckets} aging buckets (Not due, then the buckets of bounds "
                    "{bounds} and over {last} days)", n=len(rates), buckets=buckets,
                    bounds=",".join(str(b) for b in bounds), last=bounds[-1] if bounds else 0),
                **t.where("provision_rates", row), value=value,
                suggestion=msg("Give exactly {buckets} rates: Not due first, then one per bucket", buckets=buckets),
            )

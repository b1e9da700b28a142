"""Labels of the codes the core returns, in the reader's language: one table for every view.

The core keeps codes (`receipt`, `fifo`, `Not due`, basis `due`); a sheet, a statement or
a console table shows their label. The English label of a code is the code itself (an
English book reads `credit_note` as its Transactions sheet does); the Chinese one comes
from the catalog, under a context (msgctxt) because one English word can be two codes:
`invoice` is a transaction kind and an aging basis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import C_, DEFAULT_LANGUAGE, ctranslate, translate
from ..ledger.aging import NOT_DUE

KIND = "transaction kind"
METHOD = "allocation method"
BASIS = "aging basis"
SOURCE = "history source"
GRADE = "credit grade"
FIELD = "changed field"
PERIOD = "revenue period"
REVENUE_BASIS = "revenue basis"
TAX = "tax basis"

LABELS: dict[str, dict[str, str]] = {
    KIND: {
        "invoice": C_("transaction kind", "invoice"),
        "credit_note": C_("transaction kind", "credit_note"),
        "receipt": C_("transaction kind", "receipt"),
        "opening": C_("transaction kind", "opening"),
        "adjustment": C_("transaction kind", "adjustment"),
    },
    METHOD: {
        "reference": C_("allocation method", "reference"),
        "fifo": C_("allocation method", "fifo"),
    },
    BASIS: {
        "due": C_("aging basis", "due"),
        "invoice": C_("aging basis", "invoice"),
    },
    SOURCE: {
        "import": C_("history source", "import"),
        "manual": C_("history source", "manual"),
    },
    FIELD: {  # what a reclassification changes (Reclass and AuditLog sheets)
        "category": C_("changed field", "category"),
        "tags": C_("changed field", "tags"),
        "grade": C_("changed field", "grade"),
        "flag": C_("changed field", "flag"),
    },
    PERIOD: {  # revenue --by
        "month": C_("revenue period", "month"),
        "quarter": C_("revenue period", "quarter"),
        "year": C_("revenue period", "year"),
    },
    REVENUE_BASIS: {  # revenue --basis
        "historical": C_("revenue basis", "historical"),
        "current": C_("revenue basis", "current"),
    },
    TAX: {
        "included": C_("tax basis", "included"),
        "excluded": C_("tax basis", "excluded"),
    },
    GRADE: {  # A-D read the same in every language; a customer too new to grade has a word
        "NEW": C_("credit grade", "NEW"),
    },
}


def label(context: str, code: object, lang: str) -> object:
    """The label of `code` in `context` (one of LABELS); anything not in the table as it is."""
    if lang == DEFAULT_LANGUAGE or not isinstance(code, str) or code not in LABELS[context]:
        return code
    return ctranslate(context, code, lang)


def label_column(context: str, values: pd.Series, lang: str) -> pd.Series:
    """`label` for a whole column, looked up once per code (detail sheets run to 500,000 rows)."""
    if lang == DEFAULT_LANGUAGE:
        return values
    return _relabelled(values, {code: ctranslate(context, code, lang) for code in LABELS[context]})


def bucket_label(bucket: str, lang: str) -> str:
    """An aging bucket: `Not due` is a word, the others (`1-30`, `>180`) read the same in every language."""
    return translate(NOT_DUE, lang) if bucket == NOT_DUE else bucket


def bucket_column(values: pd.Series, lang: str) -> pd.Series:
    """`bucket_label` for a whole column."""
    if lang == DEFAULT_LANGUAGE:
        return values
    return _relabelled(values, {NOT_DUE: translate(NOT_DUE, lang)})


def yes_no_column(values: pd.Series, lang: str) -> pd.Series:
    """Booleans as Yes/No, 是/否 (never TRUE/FALSE on a printed page); blanks stay blank."""
    yes, no = translate("Yes", lang), translate("No", lang)
    # Once per distinct value (True, False, a blank), not a Python call per row.
    number, distinct = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    words = np.array([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else (yes if bool(v) else no)
                      for v in distinct] + [None], dtype=object)
    return pd.Series(words[number], index=values.index, name=values.name, dtype=object)


def _relabelled(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """`values` with each text found in `table` replaced by its entry, anything else as it is.

    Looked up once per distinct value, not once per row.
    """
    cells = values.to_numpy(dtype=object)
    number, distinct = pd.factorize(cells, use_na_sentinel=True)
    found = [isinstance(v, str) and v in table for v in distinct]
    if not any(found):
        return values.astype(object)
    words = np.array([table[v] if hit else None for v, hit in zip(distinct, found, strict=True)] + [None],
                     dtype=object)
    hit = np.append(np.array(found, dtype=bool), False)[number]
    out = cells.copy()
    out[hit] = words[number[hit]]
    return pd.Series(out, index=values.index, name=values.name, dtype=object)

"""Roll figures up the category tree: every level, each code with all its ancestors.

A figure booked on a customer of category `010203` (scheme 2-2-2) counts under
`010203`, `0102` and `01`. Codes that fit no level of the scheme, and customers
without a category, are gathered on one row with `category_code` None and no level,
so the level-1 rows plus that row always add up to the grand total. (A customer put
on a non-leaf category counts at that level and above only; the checks report it.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import CodingScheme
from ._frames import text, text_values

_NONE = "<none>"  # stands for "no category" while grouping (None keys do not group reliably); not a code


def rollup(
    frame: pd.DataFrame,
    values: list[str],
    scheme: CodingScheme,
    categories: pd.DataFrame,
    *,
    code_column: str = "category_code",
    keys: tuple[str, ...] = (),
    all_categories: bool = False,
) -> pd.DataFrame:
    """Sums of `values` per category code at every level (and per `keys`, e.g. quarter).

    Returns [*keys, category_code, name, level, *values], sorted, uncategorised last.
    `categories` is the ledger's category table (index code, column name). With
    `all_categories`, every category of the sheet gets a row even when its sums are zero.
    """
    codes = frame[code_column].to_numpy(dtype=object)
    codes = np.where(pd.isna(codes), _NONE, codes)
    work = pd.DataFrame({**{c: frame[c].to_numpy() for c in [*keys, *values]},
                         "_code": pd.Series(codes, dtype=object)}, copy=False)  # object, not inferred as str
    own = work.groupby([*keys, "_code"], sort=False)[values].sum().reset_index()

    lineage_src, lineage_dst = [], []
    for code in pd.unique(own["_code"]):
        valid = code != _NONE and scheme.level_of(code) is not None
        chain = [*scheme.ancestors(code), code] if valid else [_NONE]
        lineage_src.extend([code] * len(chain))
        lineage_dst.extend(chain)
    mapping = pd.DataFrame({"_code": lineage_src, "_to": lineage_dst}, dtype=object)
    spread = own.merge(mapping, on="_code", how="inner")
    out = spread.groupby([*keys, "_to"], sort=False)[values].sum().reset_index()

    if all_categories and not keys:
        missing = categories.index[~categories.index.isin(out["_to"])]
        missing = [c for c in missing if isinstance(c, str) and scheme.level_of(c) is not None]
        if missing:
            zeros = pd.DataFrame({"_to": missing, **{v: np.zeros(len(missing), dtype=out[v].dtype) for v in values}})
            out = pd.concat([out, zeros], ignore_index=True)

    target = out["_to"].to_numpy(dtype=object)
    none = target == _NONE
    result = out[list(keys)].copy()
    result["category_code"] = text(np.where(none, None, target))
    names = categories["name"].reindex(np.where(none, None, target)).to_numpy(dtype=object)
    result["name"] = text(text_values(names))  # an ancestor with no row of its own has no name
    result["level"] = pd.array([None if n else scheme.level_of(c) for c, n in zip(target, none, strict=True)],
                               dtype="Int64")
    for v in values:
        result[v] = out[v].to_numpy()
    order = np.lexsort((np.where(none, "", target).astype(str), none, *[result[k].to_numpy() for k in reversed(keys)]))
    return result.iloc[order].reset_index(drop=True)

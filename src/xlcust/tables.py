"""One input sheet, before and after typing: `RawSheet` (as a reader hands it over) and `SheetTable`.

A `SheetTable` holds one input sheet twice: `raw` (the cell values exactly as read,
object dtype) and `data` (typed: codes as text, dates as datetime64, money as
integer cents in nullable Int64). Both are indexed by the row number Excel shows,
so any check can name the cell: `table.where(field, row)`.

A code column (customer codes, kinds, txn ids, references) is also available as
numbers, `table.numbered(field)`: each row's position in the column's distinct
values. At a million rows, hashing the texts costs more than anything done with
them, so each column is numbered once per Book and every check and the ledger
group, join and match on the integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .findings import Finding
from .schema import Sheet, column_letter


@dataclass
class SheetTable:
    """One input sheet: raw values, typed values and where each came from."""

    spec: Sheet
    sheet: str | None  # the sheet's name in the workbook; None when the sheet is missing
    raw: pd.DataFrame  # object values as read, columns = canonical field names present
    data: pd.DataFrame  # typed values, same index and columns (all fields of the spec)
    columns: dict[str, str] = field(default_factory=dict)  # field → column letter
    header_row: int = 1
    table_name: str | None = None  # the Excel Table (ListObject) holding the data, if any
    table_ref: str | None = None
    status: dict[str, pd.Series] = field(default_factory=dict)  # field → sparse cell status
    # (fields, …) → their shared numbering, made on first use (`numbered`); `data` is never changed after typing.
    numbering: dict[tuple[str, ...], tuple[Numbered, ...]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.sheet or self.spec.key

    @property
    def present(self) -> bool:
        return self.sheet is not None

    def where(self, field_name: str | None = None, row: int | None = None) -> dict:
        """Keyword arguments locating a cell, for `findings.error(...)` and friends."""
        loc: dict = {"row": None if row is None else int(row)}
        if field_name is not None:
            loc["field"] = field_name
            loc["column"] = self.columns.get(field_name)
        return loc

    def numbered(self, field_name: str) -> Numbered:
        """The typed column `field_name` as numbers into its distinct values (see `Numbered`)."""
        return self.numbered_together(field_name)[0]

    def numbered_together(self, *field_names: str) -> tuple[Numbered, ...]:
        """Several text columns numbered into one shared list of distinct values.

        Txn ids and references so numbered match by number: a reference's number is
        the number of the txn id it names (a value only in references gets its own).
        """
        numbers = self.numbering.get(field_names)
        if numbers is None or len(numbers[0].numbers) != len(self.data):
            numbers = number_columns([self.data[f] for f in field_names])
            self.numbering[field_names] = numbers
        return numbers

    def numbered_already(self, field_name: str) -> Numbered | None:
        """The numbering of `field_name` if one was made (alone or together with others), else None."""
        for fields, numbers in self.numbering.items():
            if field_name in fields and len(numbers[0].numbers) == len(self.data):
                return numbers[fields.index(field_name)]
        return None

    def has(self, field_name: str) -> bool:
        return field_name in self.columns

    def __len__(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Numbered:
    """A text column as numbers: `numbers[i]` is row i's position in `values`, −1 when blank.

    `values` are the distinct texts in order of first appearance (what `pd.factorize`
    gives), shared by the columns numbered together.
    """

    numbers: np.ndarray  # int64, one per row
    values: np.ndarray  # object

    def __len__(self) -> int:
        return len(self.values)

    def texts(self) -> np.ndarray:
        """The column's texts again (object, None when blank), from the numbers."""
        return np.append(self.values, None)[self.numbers]


def number_columns(columns: list[pd.Series]) -> tuple[Numbered, ...]:
    """Number the columns' texts in one hashing pass (blank: −1)."""
    arrays = [_objects(c) for c in columns]
    joined = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
    numbers, values = _factorize(joined)
    out, start = [], 0
    for a in arrays:
        out.append(Numbered(numbers[start:start + len(a)], values))
        start += len(a)
    return tuple(out)


_SAMPLE = 100_000  # rows looked at to tell txn ids (nearly all distinct) from codes that repeat


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize(values)` as (int64 numbers, object values).

    A column of mostly distinct texts (txn ids: a million of them) is numbered through
    the texts' hashes instead: Python keeps each string's hash, and numbering a million
    integers costs a fraction of a hash table of a million strings. Every text is then
    compared with the first one of its number, so two texts sharing a hash cannot share
    a number (if they ever did, the strings are numbered the ordinary way).
    """
    sample = values[:_SAMPLE]
    if len(values) > _SAMPLE and len(pd.unique(sample)) > 0.9 * len(sample):
        numbered = _factorize_by_hash(values)
        if numbered is not None:
            return numbered
    numbers, uniques = pd.factorize(values)
    return numbers.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


def _factorize_by_hash(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    present = np.flatnonzero(~pd.isna(values))
    texts = values[present]
    try:
        hashes = np.fromiter(map(hash, texts), dtype=np.int64, count=len(texts))
    except TypeError:  # something unhashable: not a text column
        return None
    codes, _ = pd.factorize(hashes)  # numbered in order of first appearance, like the texts would be
    # Each number's first position is where the running maximum of the numbers grows.
    seen = np.maximum.accumulate(codes)
    first = np.empty(len(codes), dtype=bool)
    first[:1] = True
    np.greater(seen[1:], seen[:-1], out=first[1:])
    uniques = texts[first]
    if not (uniques[codes] == texts).all():
        return None  # two texts share a hash
    numbers = np.full(len(values), -1, dtype=np.int64)
    numbers[present] = codes
    return numbers, uniques


def _objects(column: pd.Series) -> np.ndarray:
    if column.dtype == object:
        return column.to_numpy(dtype=object, copy=False)
    return np.asarray(column.to_numpy(dtype=object, na_value=None), dtype=object)


@dataclass
class RawSheet:
    """What a reader hands to typing: one sheet's header mapping and raw values."""

    spec: Sheet
    sheet: str
    header_row: int
    columns: dict[str, str]  # field → letter
    raw: pd.DataFrame  # index = Excel row numbers, columns = fields present
    table_name: str | None = None
    table_ref: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def from_dicts(cls, spec: Sheet, rows: list[dict]) -> RawSheet:
        fields = [c.name for c in spec.columns if any(c.name in r for r in rows)]
        if not rows:
            fields = [c.name for c in spec.columns]
        for c in spec.required_columns:  # tests of a missing column pass rows without it
            if c.name not in fields and not rows:
                fields.append(c.name)
        letters = {f: column_letter(i) for i, f in enumerate(fields)}
        frame = pd.DataFrame(
            [[r.get(f) for f in fields] for r in rows], columns=fields, dtype=object
        )
        frame.index = pd.RangeIndex(2, 2 + len(rows))
        return cls(spec, spec.key, 1, letters, frame)

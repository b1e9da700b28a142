"""A table range as Excel hands it to a worksheet function, read column by column, with an exact key.

xlwings passes `tblTransactions[#All]` as a fresh list of rows of Python values on
every call: at Excel's limit a million rows of seven cells. Two things are wanted
from it, on every call, before anything is computed:

* a **content key** that changes whenever a cell xlcust reads changes (a wrong cache
  hit would be a wrong grade), and that is the same for the same cells;
* on a miss, the **typed table**, as the file reader would type the same cells.

Both come from one pass that takes each mapped column out of the rows and turns it
into an array of one type (Arrow text, float64 numbers, timestamps), the form
fastexcel gives the file reader (`xlcust.io.columns`). The key is a BLAKE2b digest
of each column's array bytes with its Python types, so it is exact in practice
(a collision is a 2⁻¹²⁸ event, unlike Python's `hash`, for which -1 and -2, or 1.0 and
TRUE, are the same). A column holding several types (a date typed as text among
dates) stays cell by cell, as Python objects, exactly as the cell reader hands them
to typing, and its key is a digest of its pickle, which tells 1, 1.0 and TRUE apart.
Typing such a `RawSheet` (`celltypes.type_sheet`) gives the same `SheetTable` as the
cell-by-cell path (`host.raw_from_grid`); tests compare the two on odd tables.

Only the header row and the columns xlcust maps enter the key: an unknown column is
not read, so editing it changes nothing xlcust computes.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..headers import HeaderMatch, match_header
from ..io.reader import raw_sheet_from_series
from ..schema import ColumnType, Sheet
from ..tables import RawSheet
from .host import raw_from_grid

Grid = list[list[object]]
_NONE = type(None)
_EXACT = 2**53  # an integer beyond this is no exact float: such a column stays cell by cell


@dataclass(frozen=True)
class GridTable:
    """One table range taken apart: which sheet it is, its exact key, and how to type it."""

    spec: Sheet
    key: bytes  # the digest of the header row and every mapped column
    _columns: tuple[pd.Series, ...] | None  # kept only until typing: the cache keeps the typed table
    _header: HeaderMatch | None
    _grid: Grid | None  # only for the cell-by-cell path (no header found, ragged rows)

    def raw_sheet(self) -> RawSheet:
        """The `RawSheet` typing takes: the columns as read, blank rows dropped, header findings."""
        if self._header is None or self._columns is None:
            return raw_from_grid(self.spec, self.spec.key, self._grid or [])
        assert self._grid is not None
        head = self._grid[: self._header.row + 1]
        return raw_sheet_from_series(self.spec, self.spec.key, head, self._header, list(self._columns))


def read_grid(spec: Sheet, grid: Grid, *, by_column: bool = True) -> GridTable:
    """Take a table range apart (`spec` from `cells.table_spec`). `by_column=False`: the
    cell-by-cell path for the whole range (Settings, whose values are of every type by design)."""
    header = match_header(spec, grid, 0, None)
    if not by_column or header is None or len(set(map(len, grid))) > 1:  # ragged rows: never from Excel
        return GridTable(spec, _digest_objects("cells", grid), None, None, grid)
    body = grid[header.row + 1:]
    h = hashlib.blake2b(digest_size=16)
    h.update(_pickled(grid[: header.row + 1]))
    h.update(len(body).to_bytes(8, "little"))
    columns = []
    with _collector_paused():  # a million new list cells each: no cycles to find, only time lost looking
        for name, at in header.columns.items():
            cells = list(map(itemgetter(at), body))
            series, tag, parts = _column(cells, spec.by_name[name].type is ColumnType.DATE)
            h.update(tag)
            for part in parts:
                h.update(len(part).to_bytes(8, "little"))
                h.update(part)
            columns.append(series)
    return GridTable(spec, h.digest(), tuple(columns), header, grid[: header.row + 1])


def grid_key(spec: Sheet, grid: Grid) -> bytes:
    """The exact content key alone (tests)."""
    return read_grid(spec, grid).key


# ------------------------------------------------------------------- columns


def _column(cells: list[object], is_date: bool) -> tuple[pd.Series, bytes, list[memoryview | bytes]]:
    """A column's cells as the Series typing takes, the tag of their types, and the bytes to digest."""
    types = set(map(type, cells))
    tag = ",".join(sorted(t.__qualname__ for t in types)).encode() + b";"
    kinds = types - {_NONE}
    if not kinds:
        return pd.Series(np.full(len(cells), None, dtype=object), dtype=object), tag, []
    if kinds == {str}:
        array = pa.array(cells, type=pa.string())
        blank = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)  # '' is a blank cell
        series = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([blank])))
        return series, tag, _buffers(array)
    if kinds <= {float, int} and (int not in kinds or not any(type(v) is int and abs(v) > _EXACT for v in cells)):
        numbers = np.array(cells, dtype=np.float64)  # None → NaN, as the column reader gives a blank
        return pd.Series(numbers), tag, [memoryview(numbers).cast("B")]
    if is_date and kinds <= {dt.datetime}:  # naive, as Excel's dates are (xlwings, Lite's `serial_dates`)
        stamps = _timestamps(pa.array(cells, type=pa.timestamp("us")))
        if stamps is not None:
            return stamps, tag, [stamps.to_numpy().view(np.int64).tobytes()]
    if is_date and kinds <= {dt.date}:
        stamps = _timestamps(pa.array(cells, type=pa.date32()))
        if stamps is not None:
            return stamps, tag, [stamps.to_numpy().view(np.int64).tobytes()]
    return _objects(cells, is_date), tag, [_pickled(cells)]


def _timestamps(array: pa.Array) -> pd.Series | None:
    try:
        return pd.Series(array.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False))
    except pa.ArrowInvalid:  # a date past what pandas holds (after 2262): the cell path names it
        return None


def _objects(cells: list[object], is_date: bool) -> pd.Series:
    """A mixed column as the cell path hands it over: '' blank; outside date columns a
    datetime at midnight a date (`host.raw_from_grid`: the file reader reads a date cell so)."""
    values = np.empty(len(cells), dtype=object)
    values[:] = cells
    for i, v in enumerate(cells):
        if type(v) is str and not v:
            values[i] = None
        elif not is_date and type(v) is dt.datetime and v.time() == dt.time():
            values[i] = v.date()
    return pd.Series(values, dtype=object)


def _buffers(array: pa.Array) -> list[memoryview | bytes]:
    return [memoryview(b) for b in array.buffers() if b is not None]


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _digest_objects(tag: str, value: object) -> bytes:
    h = hashlib.blake2b(tag.encode(), digest_size=16)
    h.update(_pickled(value))
    return h.digest()


@contextmanager
def _collector_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

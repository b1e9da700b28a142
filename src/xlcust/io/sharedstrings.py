"""The workbook's shared-string table, grown by the output sheets of one save.

A text cell as an inline string repeats its text and ~45 bytes of markup on every row;
as a shared string it is `<c r="B7" t="s"><v>12</v></c>` and the text is written once in
`xl/sharedStrings.xml` (Excel builds that table on load anyway, and writes one itself).

The user's sheets index the existing table, and xlcust copies them untouched, so existing
entries keep their numbers: new strings are appended, and a string already in the table
(an entry that is plain text, written the way we write it) reuses its index. A re-run
with the same data therefore adds nothing. Text that occurs once in a column (a
transaction id, a message) stays inline: in the table it would cost as many bytes, and it
would stay there after the sheet that used it is replaced (the table's entries cannot be
renumbered without rewriting every user sheet). Entries whose sheet was replaced stay as
orphans until Excel next saves the book (Excel rebuilds the table then); they are limited
to repeated strings, which a re-run reuses.

The table's `count` (all references in the workbook) is written when this save creates
the table; when it appends or replaces a sheet, the references of the sheets it replaces
are unknown without inflating them, so `count` is left out rather than wrong (it is optional).
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sst\b[^>]*?(/?)>")
_WHITESPACE_ENDS = (" ", "\t", "\n", "\r")
# Text holding Excel's own escape (`_x0041_` written as `_x005F_x0041_`) is always shared:
# openpyxl undoes that escape in the shared-string table but not in inline strings.
_EXCEL_ESCAPED = "_x005F_x"
MIN_REPEATS = 2  # occurrences in a column from which a text is shared


def needs_preserve(text: str) -> bool:
    """Leading or trailing whitespace, which a reader may trim without xml:space="preserve"."""
    return text[:1] in _WHITESPACE_ENDS or text[-1:] in _WHITESPACE_ENDS


class SharedStrings:
    """Existing entries (their XML kept as is) plus the strings this save appends.

    Strings are handled in their escaped XML form (what goes between `<t>` and `</t>`), so
    an existing entry is recognised by its bytes without unescaping the table.
    """

    def __init__(self, existing: bytes | None = None, *, frozen: bool = False) -> None:
        self.existing = existing
        self.frozen = frozen  # a table we cannot safely append to: every text stays inline
        self._prefix = b""
        self._index: dict[str, int] = {}  # escaped text → index, for entries a plain string can reuse
        self._new: list[str] = []
        self._seen_once: set[str] = set()  # row writer: met once, written inline
        self.references = 0  # t="s" cells written by this save
        self._existing_count = 0
        if existing is not None:
            self._read(existing)

    @property
    def changed(self) -> bool:
        """Whether the table must be written: it grew, or this save created it."""
        return bool(self._new) or (self.existing is None and self.references > 0)

    @property
    def counts_references(self) -> bool:
        """Whether the existing table states a `count`, which replacing a sheet makes stale."""
        root = None if self.existing is None else _ROOT.search(self.existing)
        return root is not None and re.search(rb"\scount\s*=", root.group(0)) is not None

    def __len__(self) -> int:
        return self._existing_count + len(self._new)

    def _read(self, xml: bytes) -> None:
        root = _ROOT.search(xml)
        if root is None:
            raise ValueError("not a shared-string table")
        self._prefix = (root.group(1) + b":") if root.group(1) else b""
        si = b"<" + self._prefix + b"si"
        # Every entry counts (rich text, phonetic runs); only plain ones can be reused.
        self._existing_count = xml.count(si + b">") + xml.count(si + b" ") + xml.count(si + b"/>")
        if not self._existing_count:
            return
        # Plain entries: <si><t>TEXT</t></si> (or xml:space="preserve"), found a whole table at a
        # time with Arrow (a million entries in a fraction of a second, no Python per entry).
        body = pa.array([xml[root.end():].decode("utf-8", "replace")], type=pa.large_string())
        pieces = pc.list_flatten(pc.split_pattern(body, (si).decode()))[1:]
        p = self._prefix.decode()
        found = pc.extract_regex(pieces, rf'^(?P<attrs>[^>]*)>(?:<{p}t(?P<pre> xml:space="preserve")?>'
                                         rf'(?P<text>[^<]*)</{p}t>|<{p}t/>)</{p}si>')
        ok = pc.is_valid(found)
        if len(pieces) != self._existing_count:  # a "<si" inside an attribute value? Then reuse nothing.
            return
        attrs = pc.struct_field(found, "attrs")
        text = pc.struct_field(found, "text")
        pre = pc.struct_field(found, "pre")
        # Text with whitespace at its ends is reusable only where it was marked preserved.
        ends = pc.match_substring_regex(text, r"^[ \t\n\r]|[ \t\n\r]$")
        usable = pc.and_kleene(pc.and_kleene(ok, pc.equal(attrs, "")),
                               pc.or_kleene(pc.invert(ends), pc.not_equal(pre, "")))
        positions = np.flatnonzero(pc.fill_null(usable, False).to_numpy(zero_copy_only=False))
        values = pc.fill_null(text, "").take(pa.array(positions)).to_pylist()
        self._index = dict(zip(reversed(values), reversed(positions.tolist()), strict=True))  # the first equal wins

    # -- assigning --------------------------------------------------------------------------

    def column_indices(self, escaped: pa.Array) -> np.ndarray:
        """Each cell's shared-string index, -1 for inline (an empty cell is -1 too).

        `escaped` holds a column's texts as element text, null or '' for no cell. A text
        occurring twice or more in the column gets an index (appended if new); a text
        occurring once reuses an existing entry or stays inline.
        """
        n = len(escaped)
        if not n or self.frozen:
            return np.full(n, -1, dtype=np.int64)
        d = pc.dictionary_encode(escaped).combine_chunks() if isinstance(escaped, pa.ChunkedArray) \
            else pc.dictionary_encode(escaped)
        codes = d.indices.to_numpy(zero_copy_only=False)
        valid = ~np.asarray(pc.is_null(d.indices).to_numpy(zero_copy_only=False))
        uniq = d.dictionary.to_pylist()
        counts = np.bincount(codes[valid].astype(np.int64), minlength=len(uniq))
        # Lookups and appends without a Python statement per distinct text (a column at Excel's
        # limit holds half a million): dict.get through map, the new texts added in one go.
        mapped = np.fromiter(map(self._index.get, uniq, itertools.repeat(-1)), dtype=np.int64, count=len(uniq))
        wanted = (counts >= MIN_REPEATS) | pc.match_substring(d.dictionary, _EXCEL_ESCAPED).to_numpy(
            zero_copy_only=False)
        fresh = np.flatnonzero((mapped < 0) & wanted & pc.not_equal(d.dictionary, "").to_numpy(zero_copy_only=False))
        if len(fresh):
            texts = [uniq[k] for k in fresh.tolist()]
            ids = np.arange(len(self), len(self) + len(fresh), dtype=np.int64)
            self._index.update(zip(texts, ids.tolist(), strict=True))
            self._new.extend(texts)
            mapped[fresh] = ids
        out = np.full(n, -1, dtype=np.int64)
        out[valid] = mapped[codes[valid].astype(np.int64)]
        self.references += int((out >= 0).sum())
        return out

    def cell_index(self, escaped: str) -> int:
        """The row writer's choice for one cell: an index, or -1 to write it inline.

        A text met for the first time is written inline; from its second time on it is
        shared (the row writer cannot count a column ahead: its rows may be a generator).
        """
        i = self._index.get(escaped)
        if i is None:
            if self.frozen:
                return -1
            if MIN_REPEATS > 1 and escaped not in self._seen_once and _EXCEL_ESCAPED not in escaped:
                self._seen_once.add(escaped)
                return -1
            i = self._index[escaped] = self._existing_count + len(self._new)
            self._new.append(escaped)
        self.references += 1
        return i

    # -- writing ----------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The table with the appended entries (existing entries byte for byte as they were)."""
        p = self._prefix.decode()
        space = ' xml:space="preserve"'
        entries = "".join(f"<{p}si><{p}t{space if needs_preserve(t) else ''}>{t}</{p}t></{p}si>"
                          for t in self._new).encode()
        unique = len(self)
        if self.existing is None:
            return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst xmlns="{MAIN_NS}" '
                    f'count="{self.references}" uniqueCount="{unique}">').encode() + entries + b"</sst>"
        xml = self.existing
        root = _ROOT.search(xml)
        assert root is not None
        tag = xml[root.start():root.end()]
        tag = re.sub(rb'\s(?:count|uniqueCount)\s*=\s*("[^"]*"|\'[^\']*\')', b"", tag)
        tag = re.sub(rb"\s*/?>$", f' uniqueCount="{unique}"'.encode() + (b"/>" if root.group(2) else b">"), tag)
        if root.group(2):  # <sst .../>: an empty table
            return xml[:root.start()] + tag[:-2] + b">" + entries + b"</" + self._prefix + b"sst>" + xml[root.end():]
        # New entries go after the last one: before an extLst, else before the closing tag.
        end = xml.rfind(b"</" + self._prefix + b"sst>")
        ext = xml.rfind(b"<" + self._prefix + b"extLst", root.end(), end)
        at = ext if ext != -1 else end
        return xml[:root.start()] + tag + xml[root.end():at] + entries + xml[at:]

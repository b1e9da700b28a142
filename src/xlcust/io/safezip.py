"""Opening a zip package without trusting it: ceilings, honest sizes, safe names, no DTDs.

Workbooks arrive by mail. Every path that opens a package — the read model and the
writer (`xlcust.io.package`), the Rust readers (fastexcel, python-calamine), the importer —
goes through here first, and is refused with a message naming the problem when:

* the zip's own directory declares too many parts, a part or a total too large to be a
  workbook, a compression ratio no spreadsheet reaches (a zip bomb), a compression
  method or encryption Excel never writes, or sizes that contradict each other;
* two parts share a name (part names are case-insensitive in a package), or a name
  leads outside the package (`../x`, `/abs`, `xl/../../x`, `C:x`, backslashes);
* an XML part starts with a DTD (`<!DOCTYPE`): the Open Packaging Conventions forbid
  DTDs in a package, and a DTD is how entity bombs and external entities get in;
* inflating a part gives more (or fewer) bytes than the directory said: a lying
  directory is caught while inflating, and the inflating stops at the declared size.

Python's `zipfile` already stops each part at its declared size (and then fails on the
CRC), so once the directory passed, every read in Python is bounded. The Rust readers
inflate with no such limit, so `verify_sizes` inflates (and throws away) the parts that
could hide more than a few MiB beyond their declared size before they are handed the file.

All the numbers are ceilings a real workbook never reaches, derived from Excel's limits.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import RefusedPackage
from ..i18n import N_, Msg

# A worksheet at Excel's last row (1,048,576) with 2 KiB of XML per row — far wider than any
# registry sheet (~300 bytes per row) — is 2 GiB: no part of a workbook Excel can hold is larger.
MAX_PART_BYTES = 1_048_576 * 2048
# Excel keeps a whole workbook in memory; two such sheets plus everything else is the most a
# real registry comes near. Also the ceiling of the file on disk (it is read into memory).
MAX_TOTAL_BYTES = 2 * MAX_PART_BYTES
# The classic zip format counts entries in 16 bits; a workbook with more parts than that
# (Excel's sheets, tables, drawings and charts each take one or two) is not one Excel wrote.
MAX_ENTRIES = 65_535
# Spreadsheet XML compresses about 10:1, a sheet of identical formulas or styled blank rows
# rarely past 100:1; a bomb reaches deflate's own limit (~1032:1). Small parts may exceed the
# ratio (an empty, repeated style list): only parts past RATIO_FLOOR are held to it.
MAX_RATIO = 250
RATIO_FLOOR = 1 << 20
# Deflate never turns one byte into more than 1032 (RFC 1951: 258 bytes per ~2 bits).
DEFLATE_MAX_RATIO = 1032
# verify_sizes may leave unverified the parts whose worst case adds up to at most this much.
UNVERIFIED_BUDGET = 64 << 20
# A text file (CSV) lands in one sheet: Excel's 1,048,576 rows at 1 KiB each (a registry row is
# ~100 bytes) is 1 GiB, the most an import inflates.
MAX_TEXT_BYTES = 1_048_576 * 1024
# A DTD must come before the first element, in the first bytes of a part.
HEAD_BYTES = 64 << 10

_ALLOWED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DAMAGED = N_("{book} is damaged ({what}): open it in Excel, save it, and run again")


@dataclass(frozen=True)
class Ceilings:
    """The limits a package is held to (tests lower them to build small hostile files)."""

    part_bytes: int = MAX_PART_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    entries: int = MAX_ENTRIES
    ratio: int = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR


CEILINGS = Ceilings()


def refuse(book: str, msgid: str, **params: object) -> RefusedPackage:
    """The error for a refused package, its message from the catalog."""
    return RefusedPackage(Msg(msgid, book=book, **params))


def damaged(book: str, msgid: str, **params: object) -> RefusedPackage:
    """The error for a package damaged in the way `msgid` (a fragment of the catalog) says."""
    return RefusedPackage(Msg(_DAMAGED, book=book, what=Msg(msgid, **params)))  # both parts in the reader's language


def check_package(data: bytes, book: str, ceilings: Ceilings = CEILINGS) -> None:
    """Every check at once, for a package handed whole to a Rust reader (the importer's workbooks)."""
    check_file_size(book, len(data), ceilings)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise damaged(book, N_("not a readable zip: {error}"), error=str(exc)) from None
    with zf:
        infos = check_directory(zf, book, ceilings)
        check_no_dtd(zf, infos, book)
        verify_sizes(data, infos, book)


def check_file_size(book: str, size: int, ceilings: Ceilings = CEILINGS) -> None:
    """Refuse a file too large to be a workbook before reading it into memory."""
    if size > ceilings.total_bytes:
        raise refuse(book, N_("{book} is {size} MB, more than any Excel workbook holds ({limit} MB): "
                              "it is not a workbook xlcust can read"),
                     size=size >> 20, limit=ceilings.total_bytes >> 20)


def check_directory(zf: zipfile.ZipFile, book: str, ceilings: Ceilings = CEILINGS) -> list[zipfile.ZipInfo]:
    """Check the central directory of `zf`; the entries, in stored order, when it passes."""
    infos = zf.infolist()
    if len(infos) > ceilings.entries:
        raise refuse(book, N_("{book} holds {count} parts, more than any Excel workbook ({limit}): "
                              "it is damaged or not a workbook"), count=len(infos), limit=ceilings.entries)
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if not _safe_name(name):
            raise refuse(book, N_("{book} holds a part named {part}, which leads outside the workbook: the file "
                                  "is damaged or crafted; open it in Excel, save it, and run again"), part=name)
        key = name.lower()
        if key in seen:
            raise refuse(book, N_("{book} has two parts named {part}: the file is damaged; open it in Excel, "
                                  "save it, and run again"), part=name)
        seen.add(key)
        if info.flag_bits & 0x1:
            raise damaged(book, N_("part {part} is encrypted inside the zip"), part=name)
        if info.compress_type not in _ALLOWED_METHODS:
            raise damaged(book, N_("part {part} uses a compression Excel never writes"), part=name)
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise damaged(book, N_("the sizes of part {part} contradict each other"), part=name)
        if info.file_size > ceilings.part_bytes:
            raise refuse(book, N_("{book}: part {part} would inflate to {size} MB, more than any Excel sheet "
                                  "holds ({limit} MB); it is a zip bomb or damaged, and was not opened"),
                         part=name, size=info.file_size >> 20, limit=ceilings.part_bytes >> 20)
        if info.file_size > ceilings.ratio_floor and info.file_size > ceilings.ratio * max(info.compress_size, 1):
            raise refuse(book, N_("{book}: part {part} would inflate {ratio} times ({size} MB), far past what "
                                  "spreadsheet data compresses to; it is a zip bomb, and was not opened"),
                         part=name, ratio=info.file_size // max(info.compress_size, 1), size=info.file_size >> 20)
        total += info.file_size
    if total > ceilings.total_bytes:
        raise refuse(book, N_("{book} would inflate to {size} MB, more than any Excel workbook holds "
                              "({limit} MB); it is a zip bomb or damaged, and was not opened"),
                     size=total >> 20, limit=ceilings.total_bytes >> 20)
    return infos


def check_no_dtd(zf: zipfile.ZipFile, infos: Iterable[zipfile.ZipInfo], book: str) -> None:
    """Refuse a package whose XML parts declare a DTD (entity bombs, external entities)."""
    for info in infos:
        if not info.filename.lower().endswith(_XML_SUFFIXES) or info.file_size == 0:
            continue
        head = read_head(zf, info, book)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its mark
            head = head.decode("utf-16", errors="replace").encode("utf-8")
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise refuse(book, N_("{book}: part {part} declares a DTD (<!DOCTYPE>), which no Excel workbook "
                                  "has and which can hide an entity bomb: the file was not opened; open it in "
                                  "Excel, save it, and run again"), part=info.filename)


def read_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, book: str, size: int = HEAD_BYTES) -> bytes:
    """The first `size` bytes of a part, inflating no more than that."""
    try:
        with zf.open(info) as stream:
            return stream.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
        raise damaged(book, N_("part {part} unreadable: {error}"), part=info.filename,
                                                error=str(exc)) from None


def verify_sizes(data: bytes | memoryview, infos: Iterable[zipfile.ZipInfo], book: str,
                 budget: int = UNVERIFIED_BUDGET) -> None:
    """Inflate the parts that could hide more than `budget` bytes in all and compare with the directory.

    Only deflated parts can lie; the largest are verified first, until the worst case of
    the others (deflate's maximum ratio times their compressed size) adds up to `budget`.
    Nothing is kept: output is counted and dropped, inflating stops one chunk past the
    declared size.
    """
    deflated = sorted((i for i in infos if i.compress_type == zipfile.ZIP_DEFLATED),
                      key=lambda i: i.compress_size, reverse=True)
    worst = sum(i.compress_size * DEFLATE_MAX_RATIO for i in deflated)
    for info in deflated:
        if worst <= budget:
            break
        worst -= info.compress_size * DEFLATE_MAX_RATIO
        _inflate_counting(memoryview(data), info, book)


def _inflate_counting(data: memoryview, info: zipfile.ZipInfo, book: str) -> None:
    start = _data_offset(data, info, book)
    end = start + info.compress_size
    if end > len(data):
        raise damaged(book, N_("part {part} runs past the end of the file"), part=info.filename)
    inflater = zlib.decompressobj(-15)
    produced = 0
    chunk = 16 << 20  # output is counted and dropped: memory stays at one chunk
    try:
        for at in range(start, end, chunk):
            pending: bytes | memoryview = data[at:min(at + chunk, end)]
            while pending:
                produced += len(inflater.decompress(pending, chunk))
                pending = inflater.unconsumed_tail
                if produced > info.file_size:
                    raise refuse(book, N_("{book}: part {part} inflates to more than the {size} bytes its zip "
                                          "directory declares (a disguised zip bomb or a damaged file): it was "
                                          "not opened"), part=info.filename, size=info.file_size)
        produced += len(inflater.flush())
    except zlib.error as exc:
        raise damaged(book, N_("part {part} unreadable: {error}"), part=info.filename,
                                                error=str(exc)) from None
    if produced != info.file_size:
        raise damaged(book, N_("the sizes of part {part} contradict each other"), part=info.filename)


def _data_offset(data: memoryview, info: zipfile.ZipInfo, book: str) -> int:
    """Where a part's compressed bytes start: after its local header (whose lengths may differ)."""
    at = info.header_offset
    header = bytes(data[at:at + 30])
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise damaged(book, N_("part {part} has no local header"), part=info.filename)
    return at + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")


class BoundedInflater:
    """Inflate a stream (gzip, zlib or raw deflate) with a ceiling on the output and on the ratio."""

    def __init__(self, book: str, wbits: int, limit: int, ceilings: Ceilings = CEILINGS) -> None:
        self.book = book
        self.limit = limit
        self.ceilings = ceilings
        self._inflater = zlib.decompressobj(wbits)
        self.consumed = 0
        self.produced = 0

    def inflate(self, data: bytes, chunk: int = 1 << 20) -> bytes:
        """All of `data` inflated (gzip members one after another), refused past a ceiling."""
        out = bytearray()
        pending = data
        while pending:
            piece = self._inflater.decompress(pending, chunk)
            self.consumed += len(pending) - len(self._inflater.unconsumed_tail) - len(self._inflater.unused_data)
            pending = self._inflater.unconsumed_tail
            self._grow(out, piece)
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if not rest.strip(b"\x00"):  # trailing zero padding some tools add
                    break
                self._inflater = zlib.decompressobj(self._wbits_again())
                pending = rest
        if not self._inflater.eof:
            raise zlib.error("the compressed data ends too early")
        return bytes(out)

    def _wbits_again(self) -> int:
        return 31  # only gzip allows several members in a row

    def _grow(self, out: bytearray, piece: bytes) -> None:
        self.produced += len(piece)
        if self.produced > self.limit:
            raise refuse(self.book, N_("{book} inflates to more than {limit} MB, more than a sheet of Excel's "
                                       "1,048,576 rows holds: it is a zip bomb or not a data file, and was not "
                                       "read"), limit=self.limit >> 20)
        if self.produced > self.ceilings.ratio_floor and self.produced > self.ceilings.ratio * max(self.consumed, 1):
            raise refuse(self.book, N_("{book} inflates {ratio} times, far past what data compresses to: it is "
                                       "a zip bomb, and was not read"), ratio=self.produced // max(self.consumed, 1))
        out += piece


def _safe_name(name: str) -> bool:
    """A part name that stays inside the package: relative, forward slashes, no '..' or '.' segments."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name or ":" in name.split("/", 1)[0]:
        return False
    segments = name.rstrip("/").split("/")  # a trailing slash is a folder entry some tools write
    return all(s not in ("", ".", "..") for s in segments)


"""Hostile zip packages built in a few milliseconds: bombs, lying directories, odd names.

`rezip` rewrites a real workbook entry by entry with a hand-written zip writer, so a test
can give a part any bytes, compression stream, declared size, CRC or name — things
Python's `zipfile` refuses to write. A bomb's deflate stream is one self-contained block
(a full flush resets the dictionary) repeated, so 3 GiB of output costs 3 MB and no time.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    """One zip entry as written: name, stored bytes (raw deflate or plain), method, declared size, CRC."""

    name: str
    payload: bytes
    method: int
    size: int
    crc: int


def deflated(name: str, data: bytes) -> Entry:
    """An honest deflated entry."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Entry(name, c.compress(data) + c.flush(), zipfile.ZIP_DEFLATED, len(data), zlib.crc32(data))


def bomb(name: str, mib: int, unit: bytes = b"<row/>") -> Entry:
    """A deflated part that inflates to `mib` MiB of `unit` repeated, declared honestly (CRC left 0)."""
    block = (unit * ((1 << 20) // len(unit) + 1))[: 1 << 20]
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    c.compress(block)
    c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)  # self-contained: same bytes every time
    return Entry(name, piece * mib + c.flush(zlib.Z_FINISH), zipfile.ZIP_DEFLATED, mib << 20, 0)


def entries_of(path: Path) -> list[Entry]:
    """A workbook's entries, re-deflated honestly."""
    with zipfile.ZipFile(path) as zf:
        return [deflated(i.filename, zf.read(i)) for i in zf.infolist()]


def write_zip(path: Path, entries: list[Entry]) -> Path:
    """A classic zip of these entries exactly as given (no checks: that is the point)."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        name = e.name.encode("utf-8")
        offset = len(out)
        head = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, e.method, 0, 0x21,
                           e.crc, len(e.payload), e.size, len(name), 0)
        out += head + name + e.payload
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, e.method, 0, 0x21,
                               e.crc, len(e.payload), e.size, len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def rezip(source: Path, target: Path, change: Callable[[list[Entry]], list[Entry]]) -> Path:
    """`source`'s entries, changed by `change`, written to `target`."""
    return write_zip(target, change(entries_of(source)))


def swap(entries: list[Entry], name: str, new: Entry) -> list[Entry]:
    """The entries with part `name` replaced by `new` (keeping its place)."""
    assert any(e.name == name for e in entries), name
    return [new if e.name == name else e for e in entries]


def lying(entry: Entry, declared: int) -> Entry:
    """The entry claiming to inflate to only `declared` bytes (its CRC that of the first bytes)."""
    head = zlib.decompressobj(-15).decompress(entry.payload, declared)
    return replace(entry, size=declared, crc=zlib.crc32(head))

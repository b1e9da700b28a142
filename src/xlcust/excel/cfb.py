"""A small writer of Compound File Binary files ([MS-CFB] version 3), for vbaProject.bin.

A compound file is a little FAT file system in one file: 512-byte sectors chained
by a File Allocation Table, a directory of 128-byte entries (storages and streams,
each level a binary tree of siblings), and a "mini stream" of 64-byte sectors for
streams under 4,096 bytes with its own MiniFAT. This writer lays out, in order:

    header | FAT sectors | directory sectors | MiniFAT sectors | mini stream | large streams

It writes only what a VBA project needs: nested storages of streams, written once,
no DIFAT sectors (up to 109 FAT sectors, i.e. files of about 6.8 MB). Every time
stamp and CLSID is zero, so the same tree always gives the same bytes.

    write_compound_file({"PROJECT": b"...", "VBA": {"dir": b"...", "Module1": b"..."}})

Sibling trees are built balanced with every node black; Office, LibreOffice and
olefile read such trees (Apache POI writes them the same way).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
ENTRY = 128
HEADER_DIFAT = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

STORAGE, STREAM, ROOT = 1, 2, 5
BLACK = 1

Tree = Mapping[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4: shorter names first, then by upper-cased code points."""
    return (len(name.encode("utf-16-le")), name.upper())


def _check_name(name: str) -> None:
    if not name or len(name) > 31 or any(ch in name for ch in "/\\:!"):
        raise ValueError(f"not a compound file entry name: {name!r}")


def _entries(tree: Tree) -> _Entry:
    def build(name: str, node: bytes | Tree) -> _Entry:
        _check_name(name)
        if isinstance(node, bytes | bytearray):
            return _Entry(name, STREAM, bytes(node))
        return _Entry(name, STORAGE, children=[build(k, v) for k, v in node.items()])

    return _Entry("Root Entry", ROOT, children=[build(k, v) for k, v in tree.items()])


def _number(root: _Entry) -> list[_Entry]:
    """Directory order: root, then each storage's children depth first; link sibling trees."""
    order: list[_Entry] = []

    def visit(entry: _Entry) -> None:
        entry.sid = len(order)
        order.append(entry)
        for child in entry.children:
            visit(child)
        if entry.children:
            entry.child = _link(sorted(entry.children, key=lambda e: _sort_key(e.name)))

    visit(root)
    return order


def _link(siblings: list[_Entry]) -> int:
    """A balanced binary search tree over sorted siblings; returns the root's id."""
    if not siblings:
        return NOSTREAM
    mid = len(siblings) // 2
    node = siblings[mid]
    node.left = _link(siblings[:mid])
    node.right = _link(siblings[mid + 1:])
    return node.sid


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def write_compound_file(tree: Tree) -> bytes:
    """The bytes of a compound file holding `tree` (name → bytes for a stream, → dict for a storage)."""
    root = _entries(tree)
    entries = _number(root)
    streams = [e for e in entries if e.kind == STREAM]
    small = [e for e in streams if len(e.data) < MINI_CUTOFF]
    large = [e for e in streams if len(e.data) >= MINI_CUTOFF]

    # Mini stream: small streams back to back in 64-byte sectors.
    mini_fat: list[int] = []
    mini = bytearray()
    for e in small:
        e.size = len(e.data)
        if not e.data:
            e.start = ENDOFCHAIN
            continue
        n = _sectors(len(e.data), MINI_SECTOR)
        e.start = len(mini_fat)
        mini_fat.extend(range(e.start + 1, e.start + n))
        mini_fat.append(ENDOFCHAIN)
        mini += e.data + bytes(n * MINI_SECTOR - len(e.data))

    n_dir = _sectors(len(entries) * ENTRY, SECTOR)
    n_minifat = _sectors(len(mini_fat) * 4, SECTOR)
    n_mini = _sectors(len(mini), SECTOR)
    n_large = sum(_sectors(len(e.data), SECTOR) for e in large)
    body = n_dir + n_minifat + n_mini + n_large
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + body:
        n_fat += 1
    if n_fat > HEADER_DIFAT:
        raise ValueError("compound file too large for a header-only DIFAT")

    fat: list[int] = [FATSECT] * n_fat
    sectors = bytearray()

    def chain(data: bytes) -> int:
        """Append data in whole sectors, chained in the FAT; return the first sector."""
        count = _sectors(len(data), SECTOR)
        if count == 0:
            return ENDOFCHAIN
        first = len(fat)
        fat.extend(range(first + 1, first + count))
        fat.append(ENDOFCHAIN)
        sectors.extend(data + bytes(count * SECTOR - len(data)))
        return first

    dir_start = len(fat)
    fat.extend(range(dir_start + 1, dir_start + n_dir))
    fat.append(ENDOFCHAIN)
    dir_offset = len(sectors)
    sectors.extend(bytes(n_dir * SECTOR))  # filled in below, once every start sector is known
    minifat_start = chain(b"".join(struct.pack("<I", v) for v in mini_fat)) if mini_fat else ENDOFCHAIN
    root.start = chain(bytes(mini)) if mini else ENDOFCHAIN
    root.size = len(mini)
    for e in large:
        e.size = len(e.data)
        e.start = chain(e.data)
    fat.extend([FREESECT] * (n_fat * (SECTOR // 4) - len(fat)))

    directory = b"".join(_entry_bytes(e) for e in entries)
    directory += _empty_entry() * (n_dir * (SECTOR // ENTRY) - len(entries))
    sectors[dir_offset:dir_offset + len(directory)] = directory

    header = _header(n_fat, dir_start, minifat_start, n_minifat)
    return header + b"".join(struct.pack("<I", v) for v in fat) + bytes(sectors)


def _header(n_fat: int, dir_start: int, minifat_start: int, n_minifat: int) -> bytes:
    difat = list(range(n_fat)) + [FREESECT] * (HEADER_DIFAT - n_fat)
    head = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE, bytes(16), 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
        0,  # directory sectors: always 0 in version 3
        n_fat, dir_start, 0, MINI_CUTOFF, minifat_start, n_minifat, ENDOFCHAIN, 0,
    )
    return head + struct.pack(f"<{HEADER_DIFAT}I", *difat)


def _entry_bytes(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le") + b"\0\0"
    start, size = (0, 0) if e.kind == STORAGE else (e.start, e.size)
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), e.kind, BLACK, e.left, e.right, e.child, bytes(16), 0, 0, 0, start, size,
    )


def _empty_entry() -> bytes:
    return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0)

"""Writing a zip package entry by entry: raw copies of untouched parts, fast deflate on both cores.

Python's `zipfile` can only copy a part by inflating and deflating it again; a workbook's
untouched Transactions sheet is 300 MB of XML, so `ZipWriter.copy_raw` copies the part's
compressed bytes as they are (new local header, same data, same CRC, name, time and
attributes). New parts go through `ZipWriter.open`, which deflates them pigz-style: the
part is cut into blocks, each block deflated on a worker thread with the previous
block's last 32 KiB as its dictionary and ended with a sync flush, and the pieces are
joined in order into one ordinary deflate stream (the CRC is taken over the whole
part). isal's deflate (`isal.isal_zlib`) is used where its wheel installs, zlib's
elsewhere (Pyodide); both release the GIL, so the blocks use every core.

Zip64 records are written only for an entry or an offset past `zipfile.ZIP64_LIMIT` (2 GiB),
the limit Python's own writer uses: Excel refuses packages whose small parts carry Zip64
records. Local headers carry the sizes (no data descriptors): the target file is
seekable and each header is patched once its part is written.
"""

from __future__ import annotations

import collections
import contextlib
import os
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

from .safezip import _data_offset

try:  # isal: about 5x zlib's speed at level 3 on sheet XML for ~7% more bytes (bench/README.md, "zip writer")
    from isal import isal_zlib as _fast_zlib
except ImportError:  # no wheel for this platform (Pyodide): the standard library's zlib
    _fast_zlib = None

# isal level 2 and zlib level 3 (the fallback, what xlcust wrote with before) give about the same bytes.
ISAL_LEVEL = 2
ZLIB_LEVEL = 3
BLOCK = 1 << 20  # bytes per block deflated on its own: big enough that joining costs nothing measurable
_DICT = 32 << 10  # deflate's window: a block primed with this much of the previous loses no ratio
_IN_FLIGHT_PER_WORKER = 3  # blocks queued per worker: bounds memory at a few MiB per part

ZIP64_LIMIT = zipfile.ZIP64_LIMIT  # a module constant so that tests can lower it
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_ZIP64_EXTRA = 0x0001
_UTF8_FLAG = 0x800
_DESCRIPTOR_FLAG = 0x08


@dataclass(frozen=True)
class Deflate:
    """A raw-deflate implementation (wbits -15): the module and the level to use it at."""

    module: object  # isal.isal_zlib or zlib: the same compressobj / crc32 interface
    level: int

    @property
    def name(self) -> str:
        return "isal" if self.module is _fast_zlib and _fast_zlib is not None else "zlib"

    def compressor(self, zdict: bytes = b"") -> zlib._Compress:
        m = self.module
        if zdict:
            return m.compressobj(self.level, m.DEFLATED, -15, 8, m.Z_DEFAULT_STRATEGY, zdict)  # type: ignore[attr-defined]
        return m.compressobj(self.level, m.DEFLATED, -15)  # type: ignore[attr-defined]

    def crc32(self, data: bytes | memoryview, value: int = 0) -> int:
        return self.module.crc32(data, value)  # type: ignore[attr-defined]


def default_deflate() -> Deflate:
    """isal when installed, else zlib at the level xlcust always used."""
    return Deflate(_fast_zlib, ISAL_LEVEL) if _fast_zlib is not None else Deflate(zlib, ZLIB_LEVEL)


def default_workers() -> int:
    """Threads deflating blocks: the cores, at most 4; none where threads cannot start (Pyodide)."""
    if sys.platform == "emscripten":
        return 0
    return min(os.cpu_count() or 1, 4)


@dataclass
class _Entry:
    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compress_size: int
    file_size: int
    offset: int
    external_attr: int
    create_system: int
    comment: bytes


class ZipWriter:
    """Writes a zip to a seekable binary file; `close` writes the central directory.

    Use `copy_raw` for a part taken unchanged from another zip, `write` for bytes at hand,
    `open` for a part streamed in pieces. One entry at a time.
    """

    def __init__(self, f: IO[bytes], *, deflate: Deflate | None = None, workers: int | None = None) -> None:
        self._f = f
        self._pos = f.tell()
        self._start = self._pos
        self._entries: list[_Entry] = []
        self._names: set[str] = set()
        self.deflate = deflate or default_deflate()
        n = default_workers() if workers is None else workers
        self._pool: ThreadPoolExecutor | None = None
        if n > 1:
            try:
                self._pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="xlcust-deflate")
            except RuntimeError:  # no threads here: deflate in the calling thread
                self._pool = None
        self._workers = n

    # -- entries --------------------------------------------------------------------------

    def copy_raw(self, source: bytes | memoryview, info: zipfile.ZipInfo) -> None:
        """Copy the entry `info` of the zip held in `source` without inflating it.

        Name, time, method, CRC, sizes and attributes are the source's; a data descriptor
        in the source becomes sizes in the local header.
        """
        start = _data_offset(memoryview(source), info, info.filename)
        data = memoryview(source)[start:start + info.compress_size]
        if len(data) != info.compress_size:
            raise zipfile.BadZipFile(f"part {info.filename} runs past the end of the file")
        entry = self._entry(info.filename, info.date_time, info.compress_type, info.external_attr,
                            info.create_system, info.comment)
        entry.crc, entry.compress_size, entry.file_size = info.CRC, info.compress_size, info.file_size
        self._write_local(entry, zip64=False)
        self._out(data)
        self._entries.append(entry)

    def write(self, info: zipfile.ZipInfo, data: bytes) -> None:
        """A whole part at once, deflated (or stored if info says ZIP_STORED)."""
        with self.open(info, size=len(data)) as out:
            out.write(data)

    @contextlib.contextmanager
    def open(self, info: zipfile.ZipInfo, *, size: int | None = None) -> Iterator[_PartStream]:
        """A stream for one part; `size`, when known, lets a large part get its Zip64 header up front."""
        zip64 = size is not None and size >= ZIP64_LIMIT
        entry = self._entry(info.filename, info.date_time, info.compress_type, info.external_attr,
                            info.create_system, info.comment)
        header_at = self._pos
        self._write_local(entry, zip64=zip64)
        stream = _PartStream(self, entry.method)
        yield stream
        stream.finish()
        entry.crc, entry.compress_size, entry.file_size = stream.crc, stream.compressed, stream.size
        if not zip64 and max(entry.file_size, entry.compress_size) >= ZIP64_LIMIT:
            raise zipfile.LargeZipFile(f"part {info.filename} is larger than announced; give its size")
        end = self._pos
        self._f.seek(header_at)
        self._write_local(entry, zip64=zip64, count=False)
        self._f.seek(end)
        self._entries.append(entry)

    def close(self) -> None:
        """Write the central directory (Zip64 end records only when needed) and stop the workers."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        cd_start = self._pos
        for e in self._entries:
            extra = []
            file_size, compress_size, offset = e.file_size, e.compress_size, e.offset - self._start
            if file_size >= ZIP64_LIMIT:
                extra.append(file_size)
                file_size = 0xFFFFFFFF
            if compress_size >= ZIP64_LIMIT:
                extra.append(compress_size)
                compress_size = 0xFFFFFFFF
            if offset >= ZIP64_LIMIT:
                extra.append(offset)
                offset = 0xFFFFFFFF
            extra_bytes = struct.pack(f"<2H{len(extra)}Q", _ZIP64_EXTRA, 8 * len(extra), *extra) if extra else b""
            version = 45 if extra else 20
            self._out(_CENTRAL.pack(b"PK\x01\x02", version | e.create_system << 8, version, e.flags, e.method,
                                    e.dos_time, e.dos_date, e.crc, compress_size, file_size, len(e.name),
                                    len(extra_bytes), len(e.comment), 0, 0, e.external_attr, offset))
            self._out(e.name + extra_bytes + e.comment)
        cd_size = self._pos - cd_start
        cd_offset = cd_start - self._start
        count = len(self._entries)
        if count > 0xFFFF or cd_offset >= ZIP64_LIMIT or cd_size >= ZIP64_LIMIT:
            end64_at = self._pos - self._start
            self._out(_END64.pack(b"PK\x06\x06", _END64.size - 12, 45, 45, 0, 0, count, count, cd_size, cd_offset))
            self._out(_LOCATOR64.pack(b"PK\x06\x07", 0, end64_at, 1))
            count, cd_size, cd_offset = min(count, 0xFFFF), min(cd_size, 0xFFFFFFFF), min(cd_offset, 0xFFFFFFFF)
        self._out(_END.pack(b"PK\x05\x06", 0, 0, count, count, cd_size, cd_offset, 0))

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        elif self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    # -- internals ------------------------------------------------------------------------

    def _entry(self, name: str, date_time: tuple[int, ...], method: int, external_attr: int, create_system: int,
               comment: bytes) -> _Entry:
        if name.lower() in self._names:
            raise ValueError(f"two parts named {name!r}")
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(f"part {name!r}: compression {method} is neither stored nor deflated")
        self._names.add(name.lower())
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_FLAG
        y, mo, d, h, mi, s = date_time
        dos_date = max(y - 1980, 0) << 9 | mo << 5 | d
        dos_time = h << 11 | mi << 5 | s // 2
        return _Entry(encoded, flags, method, dos_time, dos_date, 0, 0, 0, self._pos, external_attr,
                      create_system, comment)

    def _write_local(self, e: _Entry, *, zip64: bool, count: bool = True) -> None:
        if zip64:
            extra = struct.pack("<2H2Q", _ZIP64_EXTRA, 16, e.file_size, e.compress_size)
            sizes = (0xFFFFFFFF, 0xFFFFFFFF)
        else:
            extra, sizes = b"", (e.compress_size, e.file_size)
        header = _LOCAL.pack(b"PK\x03\x04", 45 if zip64 else 20, e.flags & ~_DESCRIPTOR_FLAG, e.method,
                             e.dos_time, e.dos_date, e.crc, *sizes, len(e.name), len(extra)) + e.name + extra
        if count:
            self._out(header)
        else:
            self._f.write(header)

    def _out(self, data: bytes | memoryview) -> None:
        self._f.write(data)
        self._pos += len(data)


class _PartStream:
    """What `ZipWriter.open` yields: write() the part's bytes; blocks deflate on the writer's threads."""

    def __init__(self, zw: ZipWriter, method: int) -> None:
        self._zw = zw
        self._stored = method == zipfile.ZIP_STORED
        self._deflate = zw.deflate
        self._buffer = bytearray()
        self._prev_tail = b""
        self._pending: collections.deque[Future[bytes]] = collections.deque()
        self.crc = 0
        self.size = 0
        self.compressed = 0

    def write(self, data: bytes | memoryview) -> int:
        n = len(data)
        self.crc = self._deflate.crc32(data, self.crc)
        self.size += n
        if self._stored:
            self._emit(data)
            return n
        self._buffer += data
        while len(self._buffer) >= BLOCK:
            block = bytes(self._buffer[:BLOCK])
            del self._buffer[:BLOCK]
            self._submit(block, last=False)
        return n

    def finish(self) -> None:
        if not self._stored:
            self._submit(bytes(self._buffer), last=True)
            self._buffer = bytearray()
            while self._pending:
                self._emit(self._pending.popleft().result())

    def _submit(self, block: bytes, *, last: bool) -> None:
        zdict, self._prev_tail = self._prev_tail, block[-_DICT:]
        pool = self._zw._pool
        if pool is None:
            self._emit(_deflate_block(self._deflate, block, zdict, last))
            return
        self._pending.append(pool.submit(_deflate_block, self._deflate, block, zdict, last))
        while len(self._pending) > self._zw._workers * _IN_FLIGHT_PER_WORKER:
            self._emit(self._pending.popleft().result())

    def _emit(self, piece: bytes | memoryview) -> None:
        self._zw._out(piece)
        self.compressed += len(piece)


def _deflate_block(deflate: Deflate, block: bytes, zdict: bytes, last: bool) -> bytes:
    """One block as raw deflate, ending on a byte boundary (sync flush) unless it is the last."""
    c = deflate.compressor(zdict)
    m = deflate.module
    return c.compress(block) + c.flush(m.Z_FINISH if last else m.Z_SYNC_FLUSH)  # type: ignore[attr-defined]


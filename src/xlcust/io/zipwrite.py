"""Writing a zip package entry by entry: raw copies of untouched parts, fast deflate on both cores.

Python's `zipfile` can only copy a part by inflating and deflating it again; a workbook's
untouched Transactions sheet is 300 MB of XML, so `ZipWriter.copy_raw` copies the part's
compressed bytes as they are (new local header, same data, same CRC, name, time and
attributes).

Everything else is deflated pigz-style (`_BlockStream`): the bytes are cut into 1 MiB
blocks, each deflated on a worker thread with the previous block's last 32 KiB as its
dictionary and ended with a sync flush, and the pieces are joined in order into one
ordinary deflate stream. An output sheet's rows are deflated while they are rendered
(`DeflatingSpool`, the renderer's spool): the other core compresses while this one
renders, and only the compressed rows wait for the zip. `ZipWriter.write_spooled` puts
head + rows + tail into the package as one stream and combines their CRCs. zlib-ng's
deflate (`zlib_ng.zlib_ng`) is used where its wheel installs, zlib's elsewhere (Pyodide,
where no threads start either: blocks are then deflated in the calling thread); both
release the GIL. Benchmarks: bench/README.md, "The zip writer".

Zip64 records are written only for an entry or an offset past `zipfile.ZIP64_LIMIT`
(2 GiB), the limit Python's own writer uses: Excel refuses packages whose small parts
carry Zip64 records. Local headers carry the sizes (no data descriptors): the target
file is seekable and each header is patched once its part is written.
"""

from __future__ import annotations

import collections
import contextlib
import os
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

from .safezip import _data_offset

try:  # zlib-ng: zlib's output at a fraction of its CPU (bench/README.md, "The zip writer")
    from zlib_ng import zlib_ng as _fast_zlib
except ImportError:  # no wheel for this platform (Pyodide): the standard library's zlib
    _fast_zlib = None

# zlib-ng level 4 writes fewer bytes than zlib level 3 / 6 did (the new sheets / an edited
# Transactions sheet) for 60 % of the CPU; zlib level 3 is the fallback, what xlcust wrote before.
FAST_LEVEL = 4
ZLIB_LEVEL = 3
BLOCK = 1 << 20  # bytes per block deflated on its own: big enough that joining costs nothing measurable
_DICT = 32 << 10  # deflate's window: a block primed with this much of the previous loses no ratio
_IN_FLIGHT_PER_WORKER = 3  # blocks queued per worker: bounds memory at a few MiB per part
_SPOOL_IN_MEMORY = 8 << 20  # deflated bytes of a sheet body kept in memory before spilling to disk

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

    module: object  # zlib_ng.zlib_ng or zlib: the same compressobj / crc32 interface
    level: int

    @property
    def name(self) -> str:
        return "zlib-ng" if self.module is _fast_zlib and _fast_zlib is not None else "zlib"

    def compressor(self, zdict: bytes | memoryview = b"") -> zlib._Compress:
        m = self.module
        if zdict:
            return m.compressobj(self.level, m.DEFLATED, -15, 8, m.Z_DEFAULT_STRATEGY, zdict)  # type: ignore[attr-defined]
        return m.compressobj(self.level, m.DEFLATED, -15)  # type: ignore[attr-defined]

    def crc32(self, data: bytes | memoryview, value: int = 0) -> int:
        return self.module.crc32(data, value)  # type: ignore[attr-defined]


def default_deflate() -> Deflate:
    """zlib-ng when installed, else zlib at the level xlcust used before."""
    return Deflate(_fast_zlib, FAST_LEVEL) if _fast_zlib is not None else Deflate(zlib, ZLIB_LEVEL)


def default_workers() -> int:
    """Threads deflating blocks: the cores, at most 4; none where threads cannot start (Pyodide)."""
    if sys.platform == "emscripten":
        return 0
    return min(os.cpu_count() or 1, 4)


class Deflater:
    """A deflate implementation and the threads that run it, for one save: its spools and its zip writer."""

    def __init__(self, deflate: Deflate | None = None, workers: int | None = None) -> None:
        self.deflate = deflate or default_deflate()
        self.workers = default_workers() if workers is None else workers
        self._pool = (ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="xlcust-deflate")
                      if self.workers > 1 else None)

    def submit(self, block: bytes | memoryview, zdict: bytes | memoryview, last: bool) -> Future[bytes]:
        """Deflate one block on a worker (in this thread when there are none)."""
        if self._pool is not None:
            return self._pool.submit(_deflate_block, self.deflate, block, zdict, last)
        done: Future[bytes] = Future()
        done.set_result(_deflate_block(self.deflate, block, zdict, last))
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


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

    def __init__(self, f: IO[bytes], deflater: Deflater | None = None) -> None:
        """Write to f (from its current position); deflate with `deflater`, else one of its own."""
        self._f = f
        self._pos = f.tell()
        self._start = self._pos
        self._entries: list[_Entry] = []
        self._names: set[str] = set()
        self._own_deflater = deflater is None
        self.deflater = deflater or Deflater()

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
    def open(self, info: zipfile.ZipInfo, *, size: int | None = None) -> Iterator[_BlockStream | _StoredStream]:
        """A stream for one part; `size`, when known, lets a large part get its Zip64 header up front."""
        zip64 = size is not None and size >= ZIP64_LIMIT
        entry = self._entry(info.filename, info.date_time, info.compress_type, info.external_attr,
                            info.create_system, info.comment)
        header_at = self._pos
        self._write_local(entry, zip64=zip64)
        stream = _BlockStream(self.deflater, self._out) if entry.method == zipfile.ZIP_DEFLATED \
            else _StoredStream(self.deflater.deflate, self._out)
        yield stream
        stream.finish(last=True)
        self._finish(entry, header_at, zip64, crc=stream.crc, compressed=stream.compressed, size=stream.size)

    def write_spooled(self, info: zipfile.ZipInfo, head: bytes, body: DeflatingSpool, tail: bytes) -> None:
        """A deflated part made of head + body + tail, the body deflated already while it was written.

        Head and tail are deflated here as segments of the same stream; the CRC of the whole
        is combined from the three.
        """
        size = len(head) + body.size + len(tail)
        zip64 = size >= ZIP64_LIMIT
        entry = self._entry(info.filename, info.date_time, zipfile.ZIP_DEFLATED, info.external_attr,
                            info.create_system, info.comment)
        header_at = self._pos
        self._write_local(entry, zip64=zip64)
        deflate = self.deflater.deflate
        compressed = 0
        for piece in (_deflate_block(deflate, head, b"", False), *body.compressed(),
                      _deflate_block(deflate, tail, b"", True)):
            self._out(piece)
            compressed += len(piece)
        crc = crc32_combine(deflate.crc32(head), body.crc, body.size)
        crc = crc32_combine(crc, deflate.crc32(tail), len(tail))
        self._finish(entry, header_at, zip64, crc=crc, compressed=compressed, size=size)

    def _finish(self, entry: _Entry, header_at: int, zip64: bool, *, crc: int, compressed: int, size: int) -> None:
        """Record the part's CRC and sizes in its local header (written before its data) and in the directory."""
        entry.crc, entry.compress_size, entry.file_size = crc, compressed, size
        if not zip64 and max(entry.file_size, entry.compress_size) >= ZIP64_LIMIT:
            name = entry.name.decode("utf-8")
            raise zipfile.LargeZipFile(f"part {name} is larger than announced; give its size")
        end = self._pos
        self._f.seek(header_at)
        self._write_local(entry, zip64=zip64, count=False)
        self._f.seek(end)
        self._entries.append(entry)

    def close(self) -> None:
        """Write the central directory (Zip64 end records only when needed) and stop the workers."""
        if self._own_deflater:
            self.deflater.close()
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
        elif self._own_deflater:
            self.deflater.close()

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


class _BlockStream:
    """Bytes written to it are cut into blocks deflated on the deflater's threads, emitted in order.

    Each block is primed with the previous block's last 32 KiB and ends on a byte boundary
    (sync flush), so the pieces joined are one deflate stream; `finish(last=True)` ends it.
    """

    def __init__(self, deflater: Deflater, emit: Callable[[bytes], object]) -> None:
        self._deflater = deflater
        self._emit_to = emit
        self._buffer = bytearray()
        self._prev_tail: bytes | memoryview = b""
        self._pending: collections.deque[Future[bytes]] = collections.deque()
        self.crc = 0
        self.size = 0
        self.compressed = 0

    def write(self, data: bytes | memoryview) -> int:
        n = len(data)
        self.crc = self._deflater.deflate.crc32(data, self.crc)
        self.size += n
        # Renderers write MBs at a time (an edited sheet 300 MB at once): whole blocks of read-only
        # bytes go to the workers as views, not copies; a buffer the caller may change is copied.
        view = memoryview(data)
        if not view.readonly:
            view = memoryview(bytes(view))
        if self._buffer:
            take = BLOCK - len(self._buffer)
            self._buffer += view[:take]
            view = view[take:]
            if len(self._buffer) < BLOCK:
                return n
            self._submit(bytes(self._buffer), last=False)
            self._buffer = bytearray()
        while len(view) >= BLOCK:
            self._submit(view[:BLOCK], last=False)
            view = view[BLOCK:]
        self._buffer += view
        return n

    def tell(self) -> int:
        return self.size

    def finish(self, *, last: bool) -> None:
        """Deflate what is buffered and emit every block; `last` ends the deflate stream."""
        if self._buffer or last:
            self._submit(bytes(self._buffer), last=last)
            self._buffer = bytearray()
        while self._pending:
            self._emit(self._pending.popleft().result())

    def cancel(self) -> None:
        for f in self._pending:
            f.cancel()
        self._pending.clear()

    def _submit(self, block: bytes | memoryview, *, last: bool) -> None:
        zdict, self._prev_tail = self._prev_tail, block[-_DICT:]
        self._pending.append(self._deflater.submit(block, zdict, last))
        while len(self._pending) > max(self._deflater.workers, 1) * _IN_FLIGHT_PER_WORKER:
            self._emit(self._pending.popleft().result())

    def _emit(self, piece: bytes) -> None:
        self._emit_to(piece)
        self.compressed += len(piece)


class _StoredStream:
    """A part stored, not deflated (a part that came stored keeps its method)."""

    def __init__(self, deflate: Deflate, emit: Callable[[bytes | memoryview], object]) -> None:
        self._deflate = deflate
        self._emit = emit
        self.crc = 0
        self.size = 0

    @property
    def compressed(self) -> int:
        return self.size

    def write(self, data: bytes | memoryview) -> int:
        self.crc = self._deflate.crc32(data, self.crc)
        self.size += len(data)
        self._emit(data)
        return len(data)

    def finish(self, *, last: bool) -> None:
        pass


class DeflatingSpool:
    """Where a sheet's rows go while they are rendered: deflated as they come, kept compressed.

    A file-like `write`/`tell` for the renderer; the blocks deflate on the other cores while
    the next rows render, and ~10x fewer bytes wait for the zip than a spool of raw XML.
    `ZipWriter.write_spooled` puts it in the package between its head and tail.
    """

    def __init__(self, deflater: Deflater) -> None:
        self._store = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 (closed by close)
        self._stream = _BlockStream(deflater, self._store.write)
        self._finished = False

    def write(self, data: bytes | memoryview) -> int:
        return self._stream.write(data)

    def tell(self) -> int:
        return self._stream.size

    @property
    def size(self) -> int:
        return self._stream.size

    @property
    def crc(self) -> int:
        return self._stream.crc

    def compressed(self) -> Iterator[bytes]:
        """The deflated body (a sync-flushed stream segment), in pieces."""
        if not self._finished:
            self._stream.finish(last=False)
            self._finished = True
        self._store.seek(0)
        while piece := self._store.read(1 << 20):
            yield piece

    def close(self) -> None:
        self._stream.cancel()
        self._store.close()


def inflate_part(source: bytes | memoryview, info: zipfile.ZipInfo) -> bytes:
    """A deflated part of the zip held in `source`, inflated by zlib-ng where installed (faster than zlib).

    As zipfile's reader: stops at the size the directory declares and checks the CRC of
    what it read; raises zipfile.BadZipFile when the part is shorter or the CRC differs.
    """
    module = _fast_zlib or zlib
    start = _data_offset(memoryview(source), info, info.filename)
    raw = memoryview(source)[start:start + info.compress_size]
    inflater = module.decompressobj(-15)
    try:
        data = inflater.decompress(raw, info.file_size)
    except module.error as exc:  # zlib-ng's error is not zlib's: the caller knows zipfile's
        raise zipfile.BadZipFile(f"part {info.filename}: {exc}") from None
    if len(data) != info.file_size:
        raise zipfile.BadZipFile(f"part {info.filename} is shorter than its declared size")
    if module.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return data


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from crc(A), crc(B) and len(B): zlib-ng's, else zlib's algorithm in Python.

    Python's zlib has no crc32_combine; this is zlib's GF(2) matrix method (crc32.c, 1.2.5),
    a few thousand operations whatever the lengths.
    """
    combine = getattr(_fast_zlib, "crc32_combine", None)  # not in every zlib-ng binding release
    if combine is not None:
        return combine(crc1, crc2, len2)
    return _crc32_combine_py(crc1, crc2, len2)


def _crc32_combine_py(crc1: int, crc2: int, len2: int) -> int:
    def times(mat: list[int], vec: int) -> int:
        out, i = 0, 0
        while vec:
            if vec & 1:
                out ^= mat[i]
            vec >>= 1
            i += 1
        return out

    def square(mat: list[int]) -> list[int]:
        return [times(mat, mat[n]) for n in range(32)]

    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = square(odd)  # two zero bits
    odd = square(even)  # four zero bits
    while True:  # apply len2 zero bytes to crc1, a power of two at a time
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _deflate_block(deflate: Deflate, block: bytes | memoryview, zdict: bytes | memoryview, last: bool) -> bytes:
    """One block as raw deflate, ending on a byte boundary (sync flush) unless it is the last."""
    c = deflate.compressor(zdict)
    m = deflate.module
    return c.compress(block) + c.flush(m.Z_FINISH if last else m.Z_SYNC_FLUSH)  # type: ignore[attr-defined]


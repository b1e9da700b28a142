"""The zip writer (`xlcust.io.zipwrite`): raw copies, block-parallel deflate, Zip64 only where needed.

Every zip written here is read back by Python's zipfile (testzip checks each CRC) and
compared with what went in.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
import zlib

import pytest

from xlcust.io import zipwrite
from xlcust.io.zipwrite import Deflate, Deflater, DeflatingSpool, ZipWriter, crc32_combine

XML = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>customer %d</t></is></c></row>' % (i, i, i % 97)
               for i in range(1, 20_000))


def raw_data(z: bytes, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of one entry, read past its local header."""
    at = info.header_offset
    start = at + 30 + int.from_bytes(z[at + 26:at + 28], "little") + int.from_bytes(z[at + 28:at + 30], "little")
    return z[start:start + info.compress_size]


def deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def source_zip(*, descriptors: bool = False) -> bytes:
    """A zip as another program wrote it: a deflated part, a stored one, a non-ASCII name, attributes."""

    class Unseekable(io.RawIOBase):  # zipfile then writes data descriptors after each part
        def __init__(self) -> None:
            self.buf = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: bytes) -> int:  # type: ignore[override]
            self.buf += b
            return len(b)

    out: io.BytesIO | Unseekable = Unseekable() if descriptors else io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = deflated("xl/worksheets/sheet1.xml")
        info.external_attr = 0o644 << 16
        with z.open(info, "w") as f:  # streamed, so an unseekable target gets a descriptor
            f.write(XML)
        stored = zipfile.ZipInfo("xl/vbaProject.bin", date_time=(2023, 1, 2, 3, 4, 6))
        z.writestr(stored, b"\xd0\xcf\x11\xe0 binary", compress_type=zipfile.ZIP_STORED)
        z.writestr(deflated("xl/media/图片1.xml"), "<x>图</x>")
    return bytes(out.buf) if isinstance(out, Unseekable) else out.getvalue()


@pytest.mark.parametrize("descriptors", [False, True])
def test_copy_raw_keeps_the_compressed_bytes_crc_name_time_and_attributes(descriptors: bool) -> None:
    src = source_zip(descriptors=descriptors)
    before = zipfile.ZipFile(io.BytesIO(src)).infolist()
    if descriptors:
        assert before[0].flag_bits & 0x08  # the case under test: the source has a data descriptor
    out = io.BytesIO()
    with ZipWriter(out) as zw:
        for info in before:
            zw.copy_raw(src, info)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        after = z.infolist()
        for a, b in zip(before, after, strict=True):
            assert (b.filename, b.date_time, b.CRC, b.compress_type, b.compress_size, b.file_size,
                    b.external_attr) == (a.filename, a.date_time, a.CRC, a.compress_type, a.compress_size,
                                         a.file_size, a.external_attr)
            assert raw_data(data, b) == raw_data(src, a)
            assert not b.flag_bits & 0x08  # sizes in the local header now
        assert z.read("xl/worksheets/sheet1.xml") == XML
        assert z.read("xl/media/图片1.xml") == "<x>图</x>".encode()


@pytest.mark.parametrize("workers", [0, 2])
def test_a_part_deflated_in_blocks_is_one_valid_stream(workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipwrite, "BLOCK", 4096)  # XML is ~1.4 MB: hundreds of blocks
    out = io.BytesIO()
    with ZipWriter(out, Deflater(workers=workers)) as zw:
        with zw.open(deflated("big.xml"), size=len(XML)) as f:
            for at in range(0, len(XML), 1000):  # pieces that do not line up with blocks
                f.write(XML[at:at + 1000])
        zw.write(deflated("empty.xml"), b"")
        zw.write(deflated("small.xml"), b"<a/>")
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert [z.read(n) for n in ("big.xml", "empty.xml", "small.xml")] == [XML, b"", b"<a/>"]
        info = z.getinfo("big.xml")
        assert zlib.crc32(XML) == info.CRC and info.date_time == (2024, 5, 6, 7, 8, 10)
        assert info.compress_size < len(XML) // 5  # blocks primed with their predecessor still compress


def test_threads_do_not_change_the_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipwrite, "BLOCK", 4096)
    written = []
    for workers in (0, 3):
        out = io.BytesIO()
        with ZipWriter(out, Deflater(workers=workers)) as zw:
            zw.write(deflated("big.xml"), XML)
        written.append(out.getvalue())
    assert written[0] == written[1]


def test_zlib_fallback_writes_the_same_content() -> None:
    out = io.BytesIO()
    with ZipWriter(out, Deflater(Deflate(zlib, zipwrite.ZLIB_LEVEL))) as zw:
        zw.write(deflated("big.xml"), XML)
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None and z.read("big.xml") == XML


@pytest.mark.parametrize("workers", [0, 2])
def test_a_spooled_body_goes_between_head_and_tail(workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows deflated while they were rendered, the head and tail (known only after) deflated around them."""
    monkeypatch.setattr(zipwrite, "BLOCK", 4096)
    deflater = Deflater(workers=workers)
    spool = DeflatingSpool(deflater)
    for at in range(0, len(XML), 777):
        spool.write(XML[at:at + 777])
    assert spool.tell() == len(XML)
    head, tail = b'<?xml version="1.0"?><worksheet><sheetData>', b"</sheetData></worksheet>"
    out = io.BytesIO()
    empty = DeflatingSpool(deflater)
    with ZipWriter(out, deflater) as zw:
        zw.write_spooled(deflated("xl/worksheets/sheet9.xml"), head, spool, tail)
        zw.write_spooled(deflated("empty.xml"), b"<a>", empty, b"</a>")
    spool.close()
    empty.close()
    deflater.close()
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet9.xml") == head + XML + tail
        assert z.read("empty.xml") == b"<a></a>"


@pytest.mark.parametrize(("a", "b"), [(b"", b""), (b"x", b""), (b"", b"y"), (b"head", XML), (XML, b"tail" * 9999)])
def test_crc32_combine_without_zlib_ng_matches_zlib(a: bytes, b: bytes) -> None:
    assert zipwrite._crc32_combine_py(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_without_zlib_ng_the_standard_zlib_is_used(tmp_path) -> None:
    """Where zlib-ng has no wheel (Pyodide), importing it fails: the writer falls back to zlib and still works."""
    target = tmp_path / "out.zip"
    code = (
        "import sys, zipfile; sys.modules['zlib_ng'] = None\n"  # makes `import zlib_ng...` raise ImportError
        "from xlcust.io.zipwrite import Deflater, DeflatingSpool, ZipWriter, default_deflate\n"
        "print(default_deflate().name)\n"
        f"f = open({str(target)!r}, 'w+b')\n"
        "info = zipfile.ZipInfo('a.xml'); info.compress_type = zipfile.ZIP_DEFLATED\n"
        "d = Deflater(); spool = DeflatingSpool(d); spool.write(b'<b/>' * 100000)\n"
        "with ZipWriter(f, d) as zw:\n"
        "    zw.write(info, b'<a>' * 100000)\n"
        "    zw.write_spooled(zipfile.ZipInfo('b.xml'), b'<r>', spool, b'</r>')\n"
        "spool.close(); d.close(); f.close()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "zlib"
    with zipfile.ZipFile(target) as z:
        assert z.testzip() is None and z.read("a.xml") == b"<a>" * 100000
        assert z.read("b.xml") == b"<r>" + b"<b/>" * 100000 + b"</r>"


def test_small_parts_carry_no_zip64_records() -> None:
    out = io.BytesIO()
    with ZipWriter(out) as zw:
        zw.write(deflated("a.xml"), XML)
    data = out.getvalue()
    assert data[4:6] == (20).to_bytes(2, "little")  # version needed: no Zip64
    assert b"PK\x06\x06" not in data  # no Zip64 end record


def test_zip64_records_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The header logic of a part over 2 GiB, with the limit lowered so that the test stays small."""
    monkeypatch.setattr(zipwrite, "ZIP64_LIMIT", 100_000)
    src = source_zip()
    out = io.BytesIO()
    with ZipWriter(out) as zw:
        zw.write(deflated("small.xml"), b"<a/>")
        with zw.open(deflated("big.xml"), size=len(XML)) as f:  # announced: Zip64 local header
            f.write(XML)
        for info in zipfile.ZipFile(io.BytesIO(src)).infolist():
            zw.copy_raw(src, info)  # its offset is past the limit: Zip64 in the central directory
    data = out.getvalue()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data  # Zip64 end record and locator
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert z.read("big.xml") == XML and z.read("xl/worksheets/sheet1.xml") == XML
        big = z.getinfo("big.xml")
        local = data[big.header_offset:big.header_offset + 30]
        assert int.from_bytes(local[4:6], "little") == 45
        assert int.from_bytes(local[18:22], "little") == 0xFFFFFFFF
        assert z.getinfo("small.xml").header_offset == 0


def test_an_unannounced_part_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipwrite, "ZIP64_LIMIT", 100_000)
    with ZipWriter(io.BytesIO()) as zw, pytest.raises(zipfile.LargeZipFile), zw.open(deflated("big.xml")) as f:
        f.write(XML)


def test_two_parts_of_one_name_are_refused() -> None:
    with ZipWriter(io.BytesIO()) as zw:
        zw.write(deflated("a.xml"), b"<a/>")
        with pytest.raises(ValueError, match="two parts"):
            zw.write(deflated("A.xml"), b"<a/>")


@pytest.mark.parametrize("descriptors", [False, True])
def test_inflate_part_reads_what_zipfile_reads(descriptors: bool) -> None:
    src = source_zip(descriptors=descriptors)
    with zipfile.ZipFile(io.BytesIO(src)) as z:
        for info in z.infolist():
            if info.compress_type == zipfile.ZIP_DEFLATED:
                assert zipwrite.inflate_part(src, info) == z.read(info)


@pytest.mark.parametrize("damage", ["crc", "size", "bits"])
def test_inflate_part_refuses_a_damaged_part(damage: str) -> None:
    src = bytearray(source_zip())
    info = zipfile.ZipFile(io.BytesIO(bytes(src))).getinfo("xl/worksheets/sheet1.xml")
    if damage == "crc":
        info.CRC ^= 1
    elif damage == "size":
        info.file_size -= 1  # a directory that declares less than the part holds
    else:
        at = info.header_offset + 30 + len(info.filename) + 2
        src[at:at + 4] = b"\xff\xff\xff\xff"
    with pytest.raises(zipfile.BadZipFile):
        zipwrite.inflate_part(bytes(src), info)

"""vbaProject.bin from VBA source text, without Excel ([MS-OVBA]).

A VBA project is a compound file (`xlcust.excel.cfb`) holding:

    PROJECT            text: project id, modules, protection (CMG/DPB/GC, "encrypted")
    PROJECTwm          module names in the code page and in UTF-16
    VBA/_VBA_PROJECT   7 bytes: the version-independent header (version 0xFFFF), so
                       Office finds no compiled code of its own version and
                       recompiles every module from its source text
    VBA/dir            the project's records (information, references, modules),
                       compressed
    VBA/<module>       each module's source text, compressed, at offset 0 (no
                       performance cache)

The modules are the source files in templates/vba (standard modules, shipped as
readable .bas files) plus an empty document module per workbook and worksheet code
name (ThisWorkbook, Sheet1 …), which must match the code names in the workbook.

Everything here follows the specification's algorithms to the letter: the
compression (2.4.1) is the one Office uses, so a module compresses to the bytes
Excel writes; the protection strings (2.4.3) use a fixed seed, so the same sources
always give the same file. Tests read the result back with oletools' olevba.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .cfb import write_compound_file

CODE_PAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409
PROJECT_NAME = "VBAProject"
# A fixed project id: nothing depends on its value, and a random one would change the bytes.
PROJECT_ID = "{6E7C9C6A-3B1F-4C5E-9A1D-58C1D0A7E0B2}"
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
STDOLE = "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"

WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

AUTO_RUN = re.compile(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(Workbook_Open|Auto_Open|Auto_Close|Workbook_BeforeClose)\b",
                      re.IGNORECASE | re.MULTILINE)


# ----------------------------------------------------------------- compression (2.4.1)

CHUNK = 4096


def compress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.1: a CompressedContainer (signature 0x01, then chunks)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data, start, min(start + CHUNK, len(data)))
    return bytes(out)


def _copy_token_help(offset_in_chunk: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) at this position of a chunk (2.4.1.3.19.1)."""
    bits = max((offset_in_chunk - 1).bit_length(), 4)
    return bits, (0xFFFF >> bits) + 3


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    body = bytearray()
    current = start
    while current < end:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if current >= end:
                break
            best_length, best_candidate = 0, 0
            # 2.4.1.3.19.4: the longest match, nearest first on ties; the length limit of the
            # copy token applies only after the candidate is chosen (as Office does).
            for candidate in range(current - 1, start - 1, -1):
                length = 0
                while current + length < end and data[candidate + length] == data[current + length]:
                    length += 1
                if length > best_length:
                    best_length, best_candidate = length, candidate
            bits, max_length = _copy_token_help(current - start)
            best_length = min(best_length, max_length)
            if best_length >= 3:
                offset = current - best_candidate
                body += struct.pack("<H", ((offset - 1) << (16 - bits)) | (best_length - 3))
                flags |= 1 << bit
                current += best_length
            else:
                body.append(data[current])
                current += 1
        body[flag_at] = flags
    if len(body) > CHUNK:  # incompressible: a raw chunk of exactly 4,096 bytes
        raw = data[start:end] + bytes(CHUNK - (end - start))
        return struct.pack("<H", (CHUNK - 1) | 0x3000) + raw
    return struct.pack("<H", (len(body) + 2 - 3) | 0x3000 | 0x8000) + bytes(body)


def decompress(container: bytes) -> bytes:
    """The inverse of `compress` (2.4.1.3.1), for tests and for reading a project back."""
    if not container or container[0] != 1:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(container):
        header = struct.unpack_from("<H", container, pos)[0]
        size = (header & 0x0FFF) + 3
        chunk_end = pos + size
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += container[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", container, pos)[0]
                    pos += 2
                    bits, _ = _copy_token_help(len(out) - chunk_start)
                    length = (token & (0xFFFF >> bits)) + 3
                    offset = (token >> (16 - bits)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(container[pos])
                    pos += 1
    return bytes(out)


# ------------------------------------------------------------- data encryption (2.4.3)


def encrypt(data: bytes, project_id: str = PROJECT_ID, seed: int = 0x77, ignored: int = 0x07) -> str:
    """[MS-OVBA] 2.4.3.2 "Data Encryption", as hex text; fixed `seed` and ignored bytes."""
    version = 2
    key = sum(project_id.encode(ENCODING)) & 0xFF
    unencrypted1, encrypted1, encrypted2 = key, seed ^ key, seed ^ version
    out = bytearray([seed, seed ^ version, seed ^ key])
    plain = bytes([ignored] * ((seed & 6) // 2)) + struct.pack("<I", len(data)) + data
    for byte in plain:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return out.hex().upper()


def decrypt(text: str) -> tuple[int, bytes]:
    """(project key, data) of an encrypted PROJECT value (2.4.3.3)."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[:3]
    if seed ^ version_enc != 2:
        raise ValueError("not version 2 data encryption")
    key = seed ^ key_enc
    unencrypted1, encrypted1, encrypted2 = key, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    body = plain[(seed & 6) // 2:]
    length = struct.unpack_from("<I", body)[0]
    return key, bytes(body[4:4 + length])


# ------------------------------------------------------------------------- modules


@dataclass(frozen=True)
class Module:
    """A VBA module: its name, source text (Attribute lines included) and kind."""

    name: str
    source: str
    document: bool = False  # a document module (ThisWorkbook, SheetN) rather than a standard one

    @property
    def code(self) -> bytes:
        """The stored text: CRLF line ends, the project's code page."""
        text = "\r\n".join(self.source.replace("\r\n", "\n").split("\n"))
        if not text.endswith("\r\n"):
            text += "\r\n"
        return text.encode(ENCODING)


def document_module(name: str, workbook: bool = False) -> Module:
    """An empty document module, as Excel stores one for a workbook or sheet code name."""
    attributes = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{WORKBOOK_BASE if workbook else WORKSHEET_BASE}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, "\n".join(attributes), document=True)


def standard_module(source: str) -> Module:
    """A standard module from .bas text; its name is the `Attribute VB_Name` line."""
    match = re.search(r'^Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"', source, re.MULTILINE)
    if match is None:
        raise ValueError('a .bas module starts with Attribute VB_Name = "Name"')
    found = AUTO_RUN.search(source)
    if found:
        raise ValueError(f"{match[1]}: no macros that run by themselves ({found[1]})")
    try:
        source.encode(ENCODING)
    except UnicodeEncodeError as exc:
        raise ValueError(f"{match[1]}: VBA source must be plain {ENCODING} text ({exc.reason})") from None
    return Module(match[1], source)


def load_module_source(name: str = "xlcust.bas") -> str:
    """A .bas file from templates/vba (installed as the package data of `xlcust.templates`)."""
    try:
        return (resources.files("xlcust.templates") / "vba" / name).read_text(encoding="utf-8")
    except ModuleNotFoundError:  # an editable install made before templates/ became a package
        return (Path(__file__).resolve().parents[3] / "templates" / "vba" / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------------- streams


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text(value: str) -> bytes:
    return value.encode(ENCODING)


def _unicode(value: str) -> bytes:
    return value.encode("utf-16-le")


def dir_stream(modules: Sequence[Module]) -> bytes:
    """The uncompressed dir stream (2.3.4.2): information, one reference (stdole), modules."""
    info = b"".join([
        _record(0x0001, struct.pack("<I", 1)),  # SYSKIND: Win32; Office converts for 64-bit
        _record(0x0002, struct.pack("<I", LCID)),
        _record(0x0014, struct.pack("<I", LCID)),
        _record(0x0003, struct.pack("<H", CODE_PAGE)),
        _record(0x0004, _text(PROJECT_NAME)),
        _record(0x0005, b""), _record(0x0040, b""),  # doc string, and its Unicode twin
        _record(0x0006, b""), _record(0x003D, b""),  # help file path (1 and 2)
        _record(0x0007, struct.pack("<I", 0)),  # help context
        _record(0x0008, struct.pack("<I", 0)),  # lib flags
        struct.pack("<HIIH", 0x0009, 4, 1, 0),  # version: reserved size 4, major, minor
        _record(0x000C, b""), _record(0x003C, b""),  # constants
    ])
    libid = _text(STDOLE)
    references = b"".join([
        _record(0x0016, _text("stdole")), _record(0x003E, _unicode("stdole")),
        _record(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0)),
    ])
    module_records = [
        _record(0x000F, struct.pack("<H", len(modules))),
        _record(0x0013, struct.pack("<H", 0xFFFF)),  # project cookie
    ]
    for m in modules:
        module_records += [
            _record(0x0019, _text(m.name)), _record(0x0047, _unicode(m.name)),
            _record(0x001A, _text(m.name)), _record(0x0032, _unicode(m.name)),
            _record(0x001C, b""), _record(0x0048, b""),  # doc string
            _record(0x0031, struct.pack("<I", 0)),  # source offset: no performance cache
            _record(0x001E, struct.pack("<I", 0)),  # help context
            _record(0x002C, struct.pack("<H", 0xFFFF)),  # cookie
            _record(0x0022 if m.document else 0x0021, b""),
            _record(0x002B, b""),  # module terminator
        ]
    return info + references + b"".join(module_records) + _record(0x0010, b"")


def project_stream(modules: Sequence[Module]) -> bytes:
    """The PROJECT stream (2.3.1): properties, host extender, workspace; CRLF text."""
    lines = [f'ID="{PROJECT_ID}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}")
    lines += [
        f'Name="{PROJECT_NAME}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(bytes(4), seed=0x71)}"',  # protection state: none
        f'DPB="{encrypt(bytes(1), seed=0x73)}"',  # password: none
        f'GC="{encrypt(bytes([0xFF]), seed=0x75)}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
    ]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def project_wm_stream(modules: Sequence[Module]) -> bytes:
    """PROJECTwm (2.3.3): each module name in the code page and in UTF-16, NUL-terminated."""
    return b"".join(_text(m.name) + b"\0" + _unicode(m.name) + b"\0\0" for m in modules) + b"\0\0"


VBA_PROJECT_HEADER = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000)


def build_vba_project(modules: Sequence[Module]) -> bytes:
    """The vbaProject.bin bytes for these modules (document modules first, as Excel orders them)."""
    names = [m.name.upper() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("module names must be unique (VBA ignores case)")
    vba = {
        "_VBA_PROJECT": VBA_PROJECT_HEADER,
        "dir": compress(dir_stream(modules)),
        **{m.name: compress(m.code) for m in modules},
    }
    return write_compound_file({
        "PROJECT": project_stream(modules),
        "PROJECTwm": project_wm_stream(modules),
        "VBA": vba,
    })


def workbook_modules(sheet_code_names: Sequence[str], sources: Sequence[str]) -> list[Module]:
    """ThisWorkbook, a document module per sheet code name, then the standard modules."""
    return [
        document_module("ThisWorkbook", workbook=True),
        *(document_module(name) for name in sheet_code_names),
        *(standard_module(source) for source in sources),
    ]

"""Exceptions: only for bugs and I/O failures, never for odd data (that is a Finding).

    XlcustError                  anything xlcust raises on purpose; the CLI exits 2
    ├── UsageError               bad arguments (a date that is not a date, an unknown level)
    └── WorkbookError            the file itself cannot be used
        ├── WorkbookNotFound     no such file
        ├── NotAWorkbook         not an .xlsx/.xlsm zip package (a CSV renamed, a PDF …)
        ├── CorruptWorkbook      a zip, but broken or missing parts
        │   └── RefusedPackage   a zip refused before reading: a bomb, a lying directory, a DTD …
        ├── EncryptedWorkbook    password-protected (an OLE container, not a zip)
        └── WorkbookLocked       open in Excel / WPS or not writable
            └── WorkbookBusy     another xlcust run is writing it, or it changed since it was read

Every message is one line an accountant can act on. The errors built from the catalog
(`CatalogMessage`) keep their msgid and parameters and render in the host's language
(`i18n.use_language`) when printed.
"""

from __future__ import annotations


class XlcustError(Exception):
    """Base of everything xlcust raises on purpose."""


class UsageError(XlcustError):
    """The command was asked for something it cannot do."""


class WorkbookError(XlcustError):
    """The workbook file cannot be read or written."""


class WorkbookNotFound(WorkbookError):
    pass


class NotAWorkbook(WorkbookError):
    pass


class CorruptWorkbook(WorkbookError):
    pass


class EncryptedWorkbook(WorkbookError):
    pass


class WorkbookLocked(WorkbookError):
    pass


class CatalogMessage(Exception):
    """An error whose message is a catalog text: msgid + parameters, translated when shown."""

    def __init__(self, msgid: str, /, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        from .i18n import _  # imported here: errors is imported by everything, i18n loads Babel lazily

        return _(self.msgid, **self.params)


class RefusedPackage(CatalogMessage, CorruptWorkbook):
    """A zip package refused from its directory or while inflating (see `xlcust.io.safezip`)."""


class WorkbookBusy(CatalogMessage, WorkbookLocked):
    """Another xlcust run holds the workbook, or it changed on disk since this run read it."""

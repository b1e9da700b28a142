"""Exceptions: only for bugs and I/O failures, never for odd data (that is a Finding).

    XlcustError                  anything xlcust raises on purpose; the CLI exits 2
    ├── UsageError               bad arguments (a date that is not a date, an unknown level)
    └── WorkbookError            the file itself cannot be used
        ├── WorkbookNotFound     no such file
        ├── NotAWorkbook         not an .xlsx/.xlsm zip package (a CSV renamed, a PDF …)
        ├── CorruptWorkbook      a zip, but broken or missing parts
        ├── EncryptedWorkbook    password-protected (an OLE container, not a zip)
        └── WorkbookLocked       open in Excel / WPS or not writable

Every message is one line an accountant can act on.
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

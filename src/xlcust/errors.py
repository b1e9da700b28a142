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

Every message is one line an accountant can act on, and a catalog text: an error is raised
with a `Msg` (`i18n.msg`, msgid + named parameters, as findings carry) and never with a
ready-made string, so the host that shows it renders it in its reader's language —
`render(lang)`, or `str()` in the current language (`i18n.use_language`). A text that is
not a Msg is refused at the raise site (TypeError): a bug no user may see in English only.
Internal checks that no user can trigger raise ValueError / AssertionError, not these.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Rendered(Protocol):
    """A text that renders itself in a language: `i18n.Msg`, `i18n.Joined`."""

    def render(self, lang: str) -> str: ...


class XlcustError(Exception):
    """Base of everything xlcust raises on purpose; carries its message as a catalog text."""

    def __init__(self, message: Rendered, /) -> None:
        if isinstance(message, str) or not isinstance(message, Rendered):
            raise TypeError(f"{type(self).__name__} takes a catalog message (i18n.msg(...)), not "
                            f"{type(message).__name__}: {message!r}")
        super().__init__(message)
        self.message = message

    def render(self, lang: str) -> str:
        """The message in `lang`."""
        return self.message.render(lang)

    def __str__(self) -> str:
        from .i18n import current_language  # imported here: errors is imported by everything

        return self.render(current_language())


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


class RefusedPackage(CorruptWorkbook):
    """A zip package refused from its directory or while inflating (see `xlcust.io.safezip`)."""


class WorkbookBusy(WorkbookLocked):
    """Another xlcust run holds the workbook, or it changed on disk since this run read it."""

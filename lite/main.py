"""xlcust in xlwings Lite: the worksheet functions and the buttons, with nothing to install.

Paste this file into the xlwings Lite add-in's main.py editor and lite/requirements.txt
into its requirements.txt (docs/excel.md, "xlwings Lite", has the steps). Then the 14
functions (=AGING_BUCKET(…), =CREDIT_GRADE(…) …) work in cells and the five scripts
appear in the add-in's script list, in Excel on Windows, on a Mac and on the web.

Everything here is a thin wrapper over the same xlcust code the classic add-in and the
command line run, so a cell or a script gives the same answer as `xlcust` on the file.
Lite hands a function the cell values only: a date is its serial number, so table
arguments get their date cells back as dates first (xlcust.excel.cells.serial_dates).
"""

import xlwings as xw
from xlwings import arg, func, script

from xlcust import udfs
from xlcust.excel import handlers
from xlcust.excel.cells import serial_dates
from xlcust.excel.xlwings_book import XlwingsHost

# The worksheet functions, registered with Lite under their Excel names, with the same
# argument help, volatility and docstrings as in the classic add-in.
globals().update(udfs.registered_copies(func, arg, prepare=serial_dates))


@script
def xlcust_validate(book: xw.Book):
    """Validate codes: every check; results on the Checks sheet."""
    handlers.validate(XlwingsHost(book))


@script
def xlcust_reclassify_dry_run(book: xw.Book):
    """Reclassify (dry run): what the rules would change, on the Reclass sheet."""
    handlers.reclassify_dry_run(XlwingsHost(book))


@script
def xlcust_reclassify_apply(book: xw.Book):
    """Apply reclassification: writes the changes to Customers and CategoryHistory."""
    handlers.reclassify_apply(XlwingsHost(book))


@script
def xlcust_statements(book: xw.Book):
    """Statements: customer statements on the Statements sheet."""
    handlers.statements(XlwingsHost(book))


@script
def xlcust_refresh_all(book: xw.Book):
    """Refresh all: checks, ledger, aging and every report (what `xlcust run` does)."""
    handlers.refresh_all(XlwingsHost(book))

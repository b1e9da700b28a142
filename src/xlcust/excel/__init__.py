"""Excel as a host: the xlwings adapter, button handlers and the macro workbook build.

    host.py           the small host interface handlers use (read a sheet's grid, write an
                      output sheet, show a message) and an in-memory fake for tests
    xlwings_book.py   the xlwings implementation: a live workbook → the same `Book` the
                      headless reader makes; output sheets written through xlwings ranges
    handlers.py       the button macros: read → core → write, with a message box summary
    reclass_live.py   the reclassification buttons: `xlcust.reclass` through a host
    sheets.py         output sheets only the live workbook writes (Statements)
    cells.py          what UDFs receive (values, shapes, table ranges) → what the core takes
    vba.py, cfb.py    vbaProject.bin from templates/vba/xlcust.bas, without Excel
    xlsm.py           workbook/CustomerLedger.xlsm: template + VBA + Start sheet buttons

The worksheet functions (UDFs) are in `xlcust.udfs`. Nothing here is imported by the
core or the command line, and only `xlwings_book` imports xlwings.
"""

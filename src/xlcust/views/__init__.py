"""Views (DESIGN §4): results of the core turned into what a person reads — output sheets,
console tables, statements, exports — every label in the reader's language.

Sheets are plain data (`views.sheet.OutputSheet`, `views.charts.ChartSpec`); the hosts
write them (`xlcust.io` into the file, `xlcust.excel` into live Excel). Views import the
core and never a host.
"""

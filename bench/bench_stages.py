"""Stage timings of a full run on a registry workbook (issue 8, first cut).

    python bench/registry.py --transactions 1048575 --customers 50000
    python bench/bench_stages.py bench/data/registry_1048575_50000_20240101.xlsx

The floor is python-calamine reading every sheet; each later line is one stage of
`xlcust run` without writing. Prints seconds per stage and the peak RSS.
"""

import time, sys, resource
p = sys.argv[1]
def lap(name, t0):
    print(f"{name:28} {time.perf_counter()-t0:7.1f} s", flush=True); return time.perf_counter()
t = time.perf_counter()
import python_calamine
wb = python_calamine.CalamineWorkbook.from_path(p)
for n in wb.sheet_names: wb.get_sheet_by_name(n).to_python(skip_empty_area=False)
del wb
t = lap("floor: calamine all sheets", t)
from xlcust.io.reader import read_book
b = read_book(p); t = lap("read_book", t)
from xlcust.checks import run_checks
f = run_checks(b); t = lap("checks", t)
from xlcust.ledger import build_ledger
l = build_ledger(b); l.settlement(); l.aging(); l.reconcile(); t = lap("settlement + aging", t)
from xlcust.credit import grade_customers
g = grade_customers(b, l); t = lap("grades", t)
from xlcust.reclass import evaluate_rules, diff
diff(evaluate_rules(b, l)); t = lap("rules dry run", t)
from xlcust.reports.revenue import current_year_revenue
current_year_revenue(b, l.as_of); t = lap("revenue", t)
print("peak RSS MiB", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024))

"""Run lite/main.py the way xlwings Lite does, in a fresh interpreter without the file readers.

    python tests/lite_runner.py CALLS.json RESULTS.json

Used by tests/test_lite.py in a subprocess, so that what is blocked here (fastexcel,
python-calamine, pywin32: no wasm wheels, and Windows-only) is really absent from the
start. xlwings is imported with XLWINGS_ON_SERVER=true, which gives `from xlwings import
func, script` xlwings' custom-functions code (the path of Lite and Office.js); each call
goes through xlwings' own `custom_functions_call` with the arguments as Office.js hands
them over (one matrix per argument; dates as serial numbers, empty cells as "").
"""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.util
import json
import os
import sys
from pathlib import Path

BLOCKED = ("fastexcel", "python_calamine", "pythoncom", "pywintypes", "win32com", "win32api")


class Blocker(importlib.abc.MetaPathFinder):
    """Fails every import of a blocked package, as in Pyodide where no wheel of it exists."""

    def find_spec(self, name, path, target=None):  # noqa: ANN001, ANN201 - the finder protocol
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not available here (blocked as in xlwings Lite)", name=name)
        return None


def main() -> None:
    calls_path, results_path = sys.argv[1:3]
    sys.meta_path.insert(0, Blocker())
    os.environ["XLWINGS_ON_SERVER"] = "true"
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' free key; its pro modules ask for one
    import xlwings as xw
    from xlwings.server import custom_functions_call, custom_functions_meta, custom_scripts_call, custom_scripts_meta

    lite = Path(__file__).resolve().parents[1] / "lite" / "main.py"
    spec = importlib.util.spec_from_file_location("main", lite)
    main_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main_module)

    request = json.loads(Path(calls_path).read_text(encoding="utf-8"))
    results = {}
    for key, (name, args) in request["functions"].items():
        data = {"func_name": name, "args": args, "version": xw.__version__, "client": "Office.js",
                "runtime": "1.4", "culture_info_name": "en-US", "date_format": None}
        results[key] = asyncio.run(custom_functions_call(data, main_module))
    scripts = {}
    for name in request["scripts"]:  # each on a fresh copy of the book, as Lite sends it
        book = xw.Book(json=request["book"])
        asyncio.run(custom_scripts_call(main_module, name, typehint_to_value={xw.Book: book}))
        actions = book.json()["actions"]
        scripts[name] = {
            "alerts": [a["args"][0] for a in actions if a["func"] == "alert"],
            "sheets_added": [a["args"][1] for a in actions if a["func"] == "addSheet"],
        }
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    out = {
        "results": results,
        "script_runs": scripts,
        "functions": [f["name"] for f in custom_functions_meta(main_module)["functions"]],
        "scripts": [s["function_name"] for s in custom_scripts_meta(main_module)],
        "blocked_loaded": loaded,
    }
    Path(results_path).write_text(json.dumps(out, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()

// Try xlcust in real Pyodide under Node: what loads, what runs. Not a test (it needs
// Node, the npm package pyodide and wheels downloaded by hand); run it by hand:
//
//   mkdir /tmp/pyo && cd /tmp/pyo && npm install pyodide@0.27
//   pip download micropip pypinyin --no-deps -d wheels
//   pip download numpy pandas pyarrow --only-binary=:all: --platform pyodide_2024_0_wasm32 \
//       --python-version 3.12 --no-deps -d wheels      # none on PyPI as of this writing
//   NODE_PATH=/tmp/pyo/node_modules node /path/to/xlcust/lite/try_pyodide.mjs /tmp/pyo/wheels /path/to/xlcust
//
// It mounts the repository's src/ into Pyodide, loads every wheel found in the wheels
// folder, then imports what it can: the pure-Python checks behind VALID_TAX_ID and
// MNEMONIC, and lite/main.py itself (which needs numpy and pandas from Pyodide's own
// distribution, fetched from its CDN by loadPackage when the network allows).
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const { loadPyodide } = require("pyodide");
const [wheels, repo] = process.argv.slice(2);
const py = await loadPyodide();
console.log("Pyodide", py.version, "Python", py.runPython("import sys; sys.version.split()[0]"));

for (const name of ["numpy", "pandas", "pyarrow", "pydantic", "lxml"]) {
  // Pyodide's own builds of these come from its CDN; loadPackage reports, never throws.
  await py.loadPackage(name, { messageCallback: () => {}, errorCallback: () => {} });
}
for (const file of readdirSync(wheels).filter((f) => f.endsWith(".whl"))) {
  await py.loadPackage(path.resolve(wheels, file), { messageCallback: () => {} });
}
py.FS.mkdirTree("/xlcust");
py.FS.mount(py.FS.filesystems.NODEFS, { root: path.resolve(repo) }, "/xlcust");

const report = py.runPython(`
import importlib, json, sys
sys.path.insert(0, "/xlcust/src")
sys.path.insert(0, "/xlcust/lite")
out = {}
for name in ["micropip", "pypinyin", "numpy", "pandas", "pyarrow", "pydantic", "lxml"]:
    try:
        importlib.import_module(name)
        out[name] = "imported"
    except Exception as exc:
        out[name] = f"missing ({type(exc).__name__})"
try:
    from xlcust.uscc import is_valid_uscc
    out["VALID_TAX_ID core (xlcust.uscc)"] = [is_valid_uscc("91350100M000100Y43"), is_valid_uscc("91350100M000100Y44")]
except Exception as exc:
    out["VALID_TAX_ID core (xlcust.uscc)"] = f"failed: {exc!r}"
try:
    from xlcust.mnemonic import mnemonic
    out["MNEMONIC core (xlcust.mnemonic)"] = mnemonic("北京华远建筑有限公司")
except Exception as exc:
    out["MNEMONIC core (xlcust.mnemonic)"] = f"failed: {exc!r}"
try:
    import main
    out["lite/main.py"] = "imported"
except Exception as exc:
    out["lite/main.py"] = f"failed: {type(exc).__name__}: {exc}"
json.dumps(out, ensure_ascii=False, indent=1)
`);
console.log(report);

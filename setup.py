"""Package discovery, the one thing pyproject.toml cannot say.

pyproject.toml maps the top-level `templates/` folder (workbook sources, DESIGN §4)
to the package `xlcust.templates` through `[tool.setuptools.package-dir]`. Its
`[tool.setuptools.packages.find]` only lists packages found under `src/`, and a
fixed `packages = [...]` list would miss every subpackage added later, so discovery
happens here: every package under src/, plus the mapped one. Everything else about
the build stays in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages("src", include=["xlcust", "xlcust.*"]), "xlcust.templates"])

"""xlcust: an Excel-native customer-category registry (客户分类档案).

The core (codes, archive, ledger, credit, rules, reclass, reports) works on pandas
frames and pydantic models and knows nothing of Excel hosts; `xlcust.io` holds the
edges (headless file reader/writer, xlwings adapter).
"""

__version__ = "0.1.0"

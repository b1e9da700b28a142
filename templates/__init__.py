"""Workbook templates, as sources (TOML), installed as the package `xlcust.templates`.

Read them with `xlcust.io.template.load_template()`; nothing here is code.
"""

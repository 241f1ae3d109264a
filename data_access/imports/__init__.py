"""Imports: reading CSV, Excel and Parquet files within budgets, checking every row against the
console's rules, and loading them in one transaction; templates and error files.

Owns `import_runs`, and loads the reference and fact tables (branches, employees, customers,
products, accounts, transactions, training results, campaign outcomes, do-not-call lists).
"""

from data_access.imports.imports import (
    KINDS,
    LOADED,
    REFUSED,
    FileInfo,
    ImportResult,
    KindSpec,
    errors_csv,
    import_history,
    inspect_file,
    preview,
    run_import,
    template_csv,
)

__all__ = [
    "KINDS",
    "LOADED",
    "REFUSED",
    "FileInfo",
    "ImportResult",
    "KindSpec",
    "errors_csv",
    "import_history",
    "inspect_file",
    "preview",
    "run_import",
    "template_csv",
]

"""Rows of a query as a readable table (rich), CSV or JSON on stdout: one writer for every listing command."""
import csv
import json
import sys
from datetime import date, datetime, timezone
from decimal import Decimal

FORMATS = ("table", "csv", "json")


def as_text(value) -> str:
    """How a value reads in a CSV cell: no "None", times in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def as_cell(value) -> str:
    """How a value reads in a table: times to the minute, in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    return as_text(value)


def as_json(value):
    """Exact values in JSON: money stays a decimal string (never a float), times are ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write(columns: list[str], rows: list[tuple], fmt: str = "table", title: str | None = None, stream=None,
          table_columns: list[str] | None = None) -> None:
    """Write rows in `fmt`; a table shows only `table_columns` (default all) to stay readable."""
    stream = stream or sys.stdout
    if fmt == "json":
        json.dump([dict(zip(columns, row)) for row in rows], stream, default=as_json, ensure_ascii=False, indent=1)
        stream.write("\n")
    elif fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([as_text(value) for value in row] for row in rows)
    elif fmt == "table":
        from rich.console import Console  # rich is for tables only: CSV and JSON, and --help, start without it
        from rich.table import Table

        shown = [columns.index(name) for name in table_columns or columns]
        table = Table(title=title, show_lines=False)
        for index in shown:
            numeric = bool(rows) and isinstance(rows[0][index], (int, Decimal)) and not isinstance(rows[0][index], bool)
            table.add_column(columns[index].replace("_", " "), justify="right" if numeric else "left")
        for row in rows:
            table.add_row(*(as_cell(row[index]) for index in shown))
        console = Console(file=stream, width=None if stream.isatty() else 200)
        console.print(table if rows else f"{title or 'result'}: no rows")
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")

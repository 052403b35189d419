"""Safe spreadsheet writing: every text is written as text, never as a formula, URL or guessed number.

A value that starts with = + - @ (or a tab/CR before one) would be run by Excel or LibreOffice as a
formula; in XLSX it is written as a string cell (never a formula), in CSV it gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
THAI_FONT = "TH Sarabun New"
MAX_CELL_TEXT = 32_000  # Excel's limit is 32,767 characters


def neutralise(text: str) -> str:
    """For CSV: a text that a spreadsheet would evaluate gets a leading apostrophe."""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def open_workbook(target: str | io.BytesIO, *, constant_memory: bool = False) -> Workbook:
    """An xlsxwriter workbook that never turns strings into formulas, numbers or URLs."""
    options = {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "constant_memory": constant_memory,
        "default_date_format": "dd/mm/yyyy",
        "in_memory": isinstance(target, io.BytesIO),
    }
    return xlsxwriter.Workbook(target, options)


def write_cell(sheet: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one value with the right type: numbers as numbers, everything else as plain text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "ใช่" if value else "ไม่ใช่", fmt)
    elif isinstance(value, int | float):
        if math.isinf(value):
            sheet.write_string(row, col, str(value), fmt)
        else:
            sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime | date):
        sheet.write_string(row, col, str(value), fmt)
    else:
        sheet.write_string(row, col, str(value)[:MAX_CELL_TEXT], fmt)


def write_table(
    book: Workbook,
    sheet: Worksheet,
    header: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    first_row: int = 0,
    widths: list[int] | None = None,
) -> int:
    """A header row (bold, frozen, autofilter) and data rows; returns the number of data rows written."""
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    for col, title in enumerate(header):
        sheet.write_string(first_row, col, title, head)
        sheet.set_column(col, col, (widths[col] if widths else max(10, min(50, len(title) + 4))))
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            write_cell(sheet, first_row + count, col, value)
    sheet.freeze_panes(first_row + 1, 0)
    if header:
        sheet.autofilter(first_row, 0, first_row + max(count, 1), len(header) - 1)
    return count


def csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """CSV text with a UTF-8 BOM (Excel opens Thai correctly) and formula-looking cells neutralised."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(str(v)) if isinstance(v, str) else v for v in row])
    return buffer.getvalue()

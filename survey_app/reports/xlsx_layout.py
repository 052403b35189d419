"""Layout helpers for the report workbook: Thai formats, sheets written top to bottom, tables and native
charts placed beside them. The writers in writers.py say what goes on each sheet; this says how."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from xlsxwriter.workbook import Workbook

from survey_app.core.spreadsheets import THAI_FONT, write_cell
from survey_app.forms_engine.results import Chart, Table

FONT = {"font_name": THAI_FONT, "font_size": 14}
CHART_FONT = {"name": THAI_FONT, "size": 12}
ROW_POINTS = 21  # TH Sarabun New 14 needs about 21 pt; charts are sized against this row height
ROW_PIXELS = 28
MAX_CHARTS = 60
FORMATS: dict[str, dict[str, Any]] = {
    "text": {"valign": "top"},
    "int": {"num_format": "#,##0", "valign": "top", "align": "right", "indent": 1},
    "dec": {"num_format": "#,##0.00", "valign": "top", "align": "right", "indent": 1},
    "label": {"bold": True, "valign": "top"},
    "left": {"num_format": "#,##0", "align": "left", "valign": "top"},
    "head": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"},
    "title": {"bold": True, "font_size": 20, "font_color": "#1F3864"},
    "h1": {"bold": True, "font_size": 17, "font_color": "#1F3864"},
    "h2": {"bold": True, "font_size": 15},
    "h3": {"bold": True},
    "note": {"italic": True, "font_color": "#595959"},
}


class Book:
    """An xlsxwriter workbook with the report's Thai formats and a budget of native charts."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        wb.formats[0].set_font_name(THAI_FONT)
        wb.formats[0].set_font_size(FONT["font_size"])
        wb.default_format_properties.update(FONT)  # formats added later (ours or a helper's) start Thai too
        self.formats = {name: wb.add_format(props) for name, props in FORMATS.items()}
        self.charts = 0


class Sheet:
    """One worksheet written top to bottom (constant memory mode flushes each row once it is left)."""

    def __init__(
        self, book: Book, name: str, widths: Sequence[float], *, landscape: bool = True, fit: bool = True
    ) -> None:
        self.book, self.name, self.row = book, name, 0
        self.ws = book.wb.add_worksheet(name)
        self.ws.set_default_row(ROW_POINTS)
        self.ws.set_paper(9)  # A4, printed one page wide (the raw table is too wide for that)
        self.ws.set_footer(f"&L{name}&Rหน้า &P / &N")
        if landscape:
            self.ws.set_landscape()
        if fit:
            self.ws.fit_to_pages(1, 0 if landscape else 1)
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def cell(self, row: int, col: int, value: Any, fmt: str | None = None) -> None:
        if isinstance(value, np.generic):
            value = value.item()
        write_cell(self.ws, row, col, value, self.book.formats[fmt or _auto_format(value)])

    def line(self, *values: Any, fmt: str | None = None, cols: list[int] | None = None) -> int:
        """Write one row (formats chosen per value unless given) and move down; returns its index."""
        row = self.row
        for i, value in enumerate(values):
            if value is not None or fmt == "head":
                self.cell(row, cols[i] if cols else i, value, fmt)
        self.row += 1
        return row

    def pair(self, label: str, value: Any) -> None:
        """A bold label and its value beside it (numbers left-aligned like the texts around them)."""
        self.cell(self.row, 0, label, "label")
        self.line(None, value, fmt="left" if _auto_format(value) == "int" else None)

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def table(self, table: Table, *, limit: int | None = None, cols: list[int] | None = None) -> tuple[int, int]:
        """Header and rows (columns named "_…" are internal and left out); returns (header row, last row)."""
        keep = [i for i, c in enumerate(table.columns) if not c.startswith("_")]
        cols = cols or _layout(table, keep)
        head = self.line(*[table.columns[i] for i in keep], fmt="head", cols=cols)
        shown = table.rows if limit is None else table.rows[:limit]
        for r in shown:
            self.line(*[r[i] for i in keep], cols=cols)
        if len(shown) < len(table.rows):
            self.line(f"แสดง {len(shown):,} จาก {len(table.rows):,} รายการ ดูทั้งหมดในแผ่นงาน ข้อมูลดิบ", fmt="note")
        if table.note:
            self.line(table.note, fmt="note")
        return head, head + len(shown)

    def chart(self, chart: Chart, table: Table, head: int, col: int, cols: list[int] | None = None) -> None:
        """A native bar chart of a table already written (rows head+1..), to the right at column `col`."""
        found = _series_columns(table, chart)
        if found is None or self.book.charts >= MAX_CHARTS or not table.rows:
            return
        cat, series = found
        at = cols or list(range(len(table.columns)))
        first, last = head + 1, head + len(table.rows)
        native = self.book.wb.add_chart({"type": "bar" if chart.horizontal else "column"})
        for name, index in series:
            native.add_series(
                {
                    "name": name,
                    "categories": [self.name, first, at[cat], last, at[cat]],
                    "values": [self.name, first, at[index], last, at[index]],
                    "fill": {"color": "#4472C4"},
                    "gap": 60,
                    "data_labels": {"value": True, "font": CHART_FONT},
                }
            )
        _style_chart(native, chart)
        height = max(220, min(900, 70 + 52 * len(table.rows)))  # room for labels that wrap onto 2 lines
        native.set_size({"width": 640, "height": height})
        self.ws.insert_chart(head, col, native, {"x_offset": 12, "y_offset": 2})
        self.book.charts += 1
        self.row = max(self.row, head + math.ceil(height / ROW_PIXELS) + 1)


def _auto_format(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "text"
    return "int" if isinstance(value, int) else "dec"


def _layout(table: Table, keep: list[int]) -> list[int]:
    """Sheet columns for a table: lists of units show the (long) unit name in the wide first column."""
    names = [table.columns[i] for i in keep]
    if names[:2] == ["รหัส", "หน่วยงาน"]:
        return [1, 0, *range(2, len(keep))]
    return list(range(len(keep)))


def _series_columns(table: Table, chart: Chart) -> tuple[int, list[tuple[str, int]]] | None:
    """The table columns holding a chart's categories and series (by name), or None when the table lacks them."""
    values = [[r[i] for r in table.rows] for i in range(len(table.columns))]
    cat = next((i for i, v in enumerate(values) if v == list(chart.categories)), None)
    series = [
        (n, table.columns.index(n))
        for n, v in chart.series
        if n in table.columns and values[table.columns.index(n)] == list(v)
    ]
    return (cat, series) if cat is not None and len(series) == len(chart.series) else None


def _style_chart(native: Any, chart: Chart) -> None:
    """Thai fonts everywhere, no legend for one series, every category labelled, top-down in bar charts."""
    native.set_title(
        {"name": chart.title, "name_font": {**CHART_FONT, "bold": True}} if chart.title else {"none": True}
    )
    native.set_legend({"none": True} if len(chart.series) == 1 else {"position": "bottom", "font": CHART_FONT})
    category = {"num_font": CHART_FONT, "interval_unit": 1, "reverse": chart.horizontal}  # every label, top-down
    value = {"num_font": CHART_FONT, "min": 0}
    native.set_x_axis(value if chart.horizontal else category)  # xlsxwriter's bar charts swap the axes
    native.set_y_axis(category if chart.horizontal else value)

"""Every text cell that a spreadsheet would evaluate stays text: = + - @ tab and CR, in XLSX and CSV."""

import csv
import io

import pytest
from openpyxl import load_workbook

from survey_app.core.spreadsheets import csv_text, open_workbook, write_table

DANGEROUS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1+1", "\r=1+1", '=HYPERLINK("http://evil.example","x")']


def test_xlsx_cells_are_strings_never_formulas():
    buffer = io.BytesIO()
    book = open_workbook(buffer)
    sheet = book.add_worksheet("t")
    write_table(book, sheet, ["ข้อความ"], [[value] for value in DANGEROUS])
    book.close()
    cells = [row[0] for row in load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * len(DANGEROUS)
    # shown exactly as typed (openpyxl leaves the CR escape _x000D_ of the file format as it is)
    assert [c.value.replace("_x000D_", "\r") for c in cells] == DANGEROUS


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_cells_get_an_apostrophe(value):
    rows = list(csv.reader(io.StringIO(csv_text(["h"], [[value]]).lstrip("\ufeff"))))
    assert rows[1][0] == "'" + value

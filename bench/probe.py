"""One measurement in a fresh process, so its peak memory is its own: prints one JSON line.

python -m bench.probe aggregate|raw-aggregate|export|raw-export ROUND_ID [OUT]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd
import xlsxwriter
from sqlalchemy import text

from survey_app import create_app
from survey_app.extensions import db


class Everyone:
    role = "system_admin"
    org_unit_id = 0
    org_path = "/"


def main(kind: str, round_id: int, out: str | None) -> dict[str, float]:
    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        count = {"aggregate": aggregate, "raw-aggregate": raw_aggregate, "export": export, "raw-export": raw_export,
                 "raw-export-long": raw_export_long}[kind](round_id, out)  # fmt: skip
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "rss_mb": round(peak_rss_mb(), 1), "rows": count}


def peak_rss_mb() -> float:
    """This process's own peak resident memory. Not getrusage's ru_maxrss: on Linux that carries over the
    parent's peak through fork and exec, so a probe started by a big benchmark process reported the
    parent's memory, not its own. VmHWM belongs to this process's address space alone."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def aggregate(round_id: int, _out: str | None) -> int:
    """The app's whole report: every question's aggregate, completeness, gaps."""
    from survey_app.core.scope import Role
    from survey_app.reports.build import build_report
    from survey_app.reports.data import Filters
    from survey_app.rounds.models import Round

    Everyone.role = Role.SYSTEM_ADMIN
    report = build_report(Everyone(), db.session.get(Round, round_id), Filters(status="submitted"))
    return report.respondents


def _raw_frame(round_id: int) -> pd.DataFrame:
    sql = text(
        "SELECT a.response_id, a.question_key, a.state, a.value_num FROM answer a "
        "JOIN response r ON r.id = a.response_id WHERE r.round_id = :r AND r.status IN ('submitted','certified','accepted')"
    )
    return pd.DataFrame(
        db.session.execute(sql, {"r": round_id}).all(), columns=["response_id", "question_key", "state", "value_num"]
    )


def raw_aggregate(round_id: int, _out: str | None) -> int:
    """The same answers, loaded from the same database, with a plain pandas groupby: the floor."""
    frame = _raw_frame(round_id)
    frame.groupby(["question_key", "state"]).size()
    frame.groupby("question_key")["value_num"].agg(["count", "mean", "std", "sum", "median", "min", "max"])
    return int(frame["response_id"].nunique())


def export(round_id: int, out: str | None) -> int:
    from survey_app.core.scope import Role
    from survey_app.reports.data import Filters
    from survey_app.reports.exports import build_export
    from survey_app.rounds.models import Round

    Everyone.role = Role.SYSTEM_ADMIN
    return build_export(Everyone(), db.session.get(Round, round_id), Filters(status="submitted"), "xlsx", False,
                        Path(out or "/tmp/bench-export.xlsx"), "bench")  # fmt: skip


def raw_export(round_id: int, out: str | None) -> int:
    """The same cells (one row per response, a column per question) with bare xlsxwriter, constant memory."""
    frame = _raw_frame(round_id)
    table = frame.pivot_table(index="response_id", columns="question_key", values="value_num", aggfunc="first")
    book = xlsxwriter.Workbook(out or "/tmp/bench-raw.xlsx", {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["response_id", *table.columns])
    for r, (rid, values) in enumerate(zip(table.index, table.itertuples(index=False), strict=True), start=1):
        sheet.write_number(r, 0, rid)
        for c, value in enumerate(values, start=1):
            if value == value:
                sheet.write_number(r, c, value)
    book.close()
    return len(table)


def raw_export_long(round_id: int, out: str | None) -> int:
    """A repeat round's same cells with bare xlsxwriter, constant memory: the wide sheet (a column per
    question) and the long sheet (a row per repeat row: the response, its unit's 8 text cells as the wide
    sheet shows them, the row's number, a column per field). Returns the long sheet's rows."""
    frame = _raw_frame(round_id)
    parts = frame["question_key"].str.split("-", n=2, expand=True).reindex(columns=[0, 1, 2])
    is_row = parts[2].notna()
    wide = frame[~is_row].pivot_table(index="response_id", columns="question_key", values="value_num", aggfunc="first")
    rows = frame[is_row].assign(rid=parts[1][is_row], field=parts[2][is_row])
    long = rows.pivot_table(index=["response_id", "rid"], columns="field", values="value_num", aggfunc="first")
    units = dict(db.session.execute(text(
        "SELECT r.id, u.code || '|' || u.name_th || '|' || u.kind || '|' || coalesce(u.district_code, '') "
        "FROM response r JOIN org_unit u ON u.id = r.org_unit_id WHERE r.round_id = :r"), {"r": round_id}).all())  # fmt: skip
    book = xlsxwriter.Workbook(out or "/tmp/bench-raw-long.xlsx", {"constant_memory": True})
    for name, table in (("wide", wide), ("long", long)):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, ["key", *table.columns])
        for r, (key, values) in enumerate(zip(table.index, table.itertuples(index=False), strict=True), start=1):
            rid = key[0] if isinstance(key, tuple) else key
            sheet.write_number(r, 0, rid)
            cells = [*units[rid].split("|"), units[rid][:20], "ส่งแล้ว", "ไม่ใช่", "1 ม.ค. 2568"]
            for c, cell in enumerate(cells, start=1):
                sheet.write_string(r, c, cell)
            for c, value in enumerate(values, start=len(cells) + 1):
                if value == value:
                    sheet.write_number(r, c, value)
    book.close()
    return len(long)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)))

"""The benchmark table, as Markdown (printed and kept in docs/benchmarks.md)."""

from __future__ import annotations

TARGETS = {"render": 0.40, "save": 0.30, "submit": 0.30}


def _ms(value: float) -> str:
    return f"{value:,.0f}"


def render(web_rows, bursts, scale, pages, label: str, seconds: float, extra=()) -> str:  # type: ignore[no-untyped-def]
    parts = [
        _web(web_rows),
        _burst(bursts),
        _reports(scale, label),
        _export(scale),
        _pages(pages),
        _scale(scale, label),
        *extra,  # sections rendered by their own modules (bench/repeats.py)
    ]
    parts.append(f"_Whole run: {seconds / 60:.1f} minutes._")
    return "\n\n".join(parts)


def _web(rows) -> str:  # type: ignore[no-untyped-def]
    out = ["## 1. Web (gunicorn 4 workers × 4 threads, wrk on 127.0.0.1)", "",
           "| DB | operation | conc. | req/s | p50 ms | p95 ms | p99 ms | errors | baseline req/s | ratio | target |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    names = {"floor": "floor of a section page (see below)", "render": "render a plan section",
             "save": "save a draft section", "submit": "submit the questionnaire"}  # fmt: skip
    for db, kind, c, run, baseline in rows:
        ratio = run.rps / baseline.rps if baseline.rps else 0
        out.append(f"| {db} | {names[kind]} | {c} | {run.rps:,.0f} | {_ms(run.p50)} | {_ms(run.p95)} | {_ms(run.p99)} | "
                   f"{run.errors} | {baseline.rps:,.0f} | {ratio:.0%} | {_target(kind, ratio)} |")  # fmt: skip
    out.append("")
    out.append("Baseline: a bare Flask app rendering a 60-field Jinja form (render) and inserting 60 rows in one "
               "transaction (save, also the floor for submit). Submits after the first per response are "
               "'already submitted' answers; the submit run is 4 s so most requests are real submits. "
               "The floor of a section page is what the page must do before it writes any HTML: the "
               "signed-in user from the revocable session token, the response through the scope check and "
               "its answers, then an empty page (a bench-only route in bench/real_app.py); it has no target "
               "and bounds what any template work could reach.")  # fmt: skip
    return "\n".join(out)


def _target(kind: str, ratio: float) -> str:
    if kind not in TARGETS:
        return "–"
    return f"≥ {TARGETS[kind]:.0%} {'✅' if ratio >= TARGETS[kind] else '❌'}"


def _burst(bursts) -> str:  # type: ignore[no-untyped-def]
    out = ["## 2. Deadline burst (every unit submits once within 60 s)", "",
           "| DB | requests | errors | p95 ms | units | units with exactly one submitted response | answers before → after |",
           "|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for db, b in bursts.items():
        ok = "✅" if b["errors"] == 0 and b["once"] == b["units"] and b["answers"] == b["answers_expected"] else "❌"
        out.append(f"| {db} | {b['requests']} | {b['errors']} | {_ms(b['p95'])} | {b['units']} | {b['once']} {ok} | "
                   f"{b['answers_expected']:,} → {b['answers']:,} |")  # fmt: skip
    return "\n".join(out)


def _ratio(a: dict, b: dict) -> str:
    return f"{a['seconds'] / b['seconds']:.2f}×" if b["seconds"] else "-"


def _reports(scale, label: str) -> str:  # type: ignore[no-untyped-def]
    out = [f"## 3. Reports ({label}): the app's whole report against a raw pandas groupby of the same answers", "",
           "| round | responses | app s | raw pandas s | ratio | target |", "|---|---:|---:|---:|---:|---|"]  # fmt: skip
    first, last = scale[0], scale[-1]
    for name, row, key in (("plan questionnaire (1×)", first, "plan"), (f"plan questionnaire ({last['factor']}×)", last, "plan"),
                           (f"tablet survey ({last['factor']}×)", last, "person")):  # fmt: skip
        r = row[key]
        out.append(f"| {name} | {r['aggregate']['rows']:,} | {r['aggregate']['seconds']:.2f} | "
                   f"{r['raw-aggregate']['seconds']:.2f} | {_ratio(r['aggregate'], r['raw-aggregate'])} | ≤ 2× |")  # fmt: skip
    return "\n".join(out)


def _export(scale) -> str:  # type: ignore[no-untyped-def]
    last = scale[-1]
    r = last["person"]
    return "\n".join([
        f"## 4. Export: the full workbook for {last['persons']:,} person responses", "",
        "| | seconds | peak RSS MB |", "|---|---:|---:|",
        f"| app workbook (7 sheets, charts, labels) | {r['export']['seconds']:.1f} | {r['export']['rss_mb']:.0f} |",
        f"| raw xlsxwriter, same cells, constant memory | {r['raw-export']['seconds']:.1f} | {r['raw-export']['rss_mb']:.0f} |",
        f"| ratio (target ≤ 1.5×; RSS ≤ 300 MB) | {_ratio(r['export'], r['raw-export'])} "
        f"{'✅' if r['export']['seconds'] <= 1.5 * r['raw-export']['seconds'] else '❌'} | "
        f"{'✅' if r['export']['rss_mb'] <= 300 else '❌'} |",
    ])  # fmt: skip


def _pages(pages) -> str:  # type: ignore[no-untyped-def]
    out = ["## 5. Page weight (cold cache, 360 px, slow 3G: 400 ms, 400 kbit/s)", "",
           "| page | requests | KB transferred | first contentful paint s | target |", "|---|---:|---:|---:|---|"]  # fmt: skip
    for p in pages:
        ok = "✅" if p.kilobytes <= 150 and p.first_render_s <= 3 else "❌"
        out.append(f"| {p.name} | {p.requests} | {p.kilobytes:.1f} | {p.first_render_s:.2f} | ≤ 150 KB, ≤ 3 s {ok} |")
    return "\n".join(out)


def _scale(scale, label: str) -> str:  # type: ignore[no-untyped-def]
    out = [f"## 6. Scale ({label}; one province = 701 units answering the plan, 2,500 person responses)", "",
           "| × province | units | plan responses | report s | report MB | workbook s | workbook MB | "
           "person responses | report s | report MB | raw pandas s | workbook s | workbook MB | raw xlsx s |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for row in scale:
        p, r = row["plan"], row["person"]
        raw_xlsx = f"{r['raw-export']['seconds']:.1f}" if "raw-export" in r else "–"
        out.append(f"| {row['factor']} | {row['units']:,} | {p['aggregate']['rows']:,} | {p['aggregate']['seconds']:.2f} | "
                   f"{p['aggregate']['rss_mb']:.0f} | {p['export']['seconds']:.1f} | {p['export']['rss_mb']:.0f} | "
                   f"{row['persons']:,} | {r['aggregate']['seconds']:.2f} | {r['aggregate']['rss_mb']:.0f} | "
                   f"{r['raw-aggregate']['seconds']:.2f} | {r['export']['seconds']:.1f} | {r['export']['rss_mb']:.0f} | "
                   f"{raw_xlsx} |")  # fmt: skip
    out.append("")
    out.append("The raw xlsxwriter baseline is written at the largest size only (section 4).")
    for name, key, count in (("plan", "plan", None), ("person", "person", "persons")):
        first, last = scale[0], scale[-1]
        size = (
            (last[count] / first[count])
            if count
            else (last[key]["aggregate"]["rows"] / first[key]["aggregate"]["rows"])
        )
        for what, probe in (("report", "aggregate"), ("workbook", "export")):
            growth = (last[key][probe]["seconds"] / first[key][probe]["seconds"]) / size
            out.append(f"- {name} {what} time grew {growth:.2f}× as fast as the data ({first['factor']}× → "
                       f"{last['factor']}×; ≤ 1 means no worse than linear).")  # fmt: skip
    return "\n".join(out)

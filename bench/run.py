"""`make bench`: the app against the bare stack, a deadline burst, reports, export, page weight and scale.

Every figure that has a target is printed beside a baseline measured in the same run (the machines are
shared and noisy: ratios are what count). Writes the table to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from bench import data, load, pageweight, repeats

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-not-for-production"
SECONDS = 6


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def environment(url: str, work: Path) -> dict[str, str]:
    return {"DATABASE_URL": url, "SECRET_KEY": SECRET, "UPLOAD_DIR": str(work / "uploads"),
            "EXPORT_DIR": str(work / "exports"), "FLASK_APP": "survey_app"}  # fmt: skip


def new_app(env: dict[str, str]):  # type: ignore[no-untyped-def]
    os.environ.update(env)
    from survey_app import create_app

    return create_app()


def web(label: str, url: str, baseline_url: str, work: Path) -> tuple[list[list], dict]:
    """Baseline and real app under gunicorn at concurrency 16 and 64; then the deadline burst."""
    work.mkdir(parents=True, exist_ok=True)
    env = environment(url, work)
    app = new_app(env)
    plan_id, _tablet_id = data.prepare(app)
    sessions = data.unit_sessions(app, plan_id)
    prepared_answers = data.burst_check(app, plan_id)[3]
    files = _session_files(work, sessions)
    rows: list[list] = []
    log(f"{label}: baseline")
    with load.gunicorn("bench.baseline_app:app", {"BASELINE_DATABASE_URL": baseline_url}, "/form") as base:
        _warm_up(base, [(files["baseline-render"], "GET", 200), (files["baseline-save"], "POST", 302)])
        base_runs = {(kind, c): load.wrk(base, files[f"baseline-{kind}"], method, c, SECONDS, expect)
                     for kind, method, expect in (("render", "GET", 200), ("save", "POST", 302))
                     for c in (16, 64)}  # fmt: skip
    log(f"{label}: app")
    with load.gunicorn("bench.real_app:app", env, "/login") as base:
        _warm_up(base, [(files["render"], "GET", 200), (files["save"], "POST", 302)])
        for c in (16, 64):
            real = {}
            kinds = (("render", "GET", SECONDS), ("save", "POST", SECONDS), ("submit", "POST", 4))
            for kind, method, seconds in ((("floor", "GET", SECONDS),) if c == 16 else ()) + kinds:
                time.sleep(2)  # requests still queued in the server when wrk stopped finish first
                data.reset_to_draft(app, plan_id)  # every run starts from drafts: nothing quietly redirects
                real[kind] = load.wrk(base, files[kind], method, c, seconds, 200 if method == "GET" else 302)
            for kind, run in real.items():
                baseline = base_runs[("render" if kind in ("render", "floor") else "save", c)]
                rows.append([label, kind, c, run, baseline])
        time.sleep(2)
        data.reset_to_draft(app, plan_id)
        burst = _burst(base, sessions)
    units, once, responses, answers = data.burst_check(app, plan_id)
    burst |= {"units": units, "once": once, "responses": responses, "answers": answers,
              "answers_expected": prepared_answers}  # fmt: skip
    return rows, burst


def _warm_up(base: str, runs: list[tuple[Path, str, int]]) -> None:
    """Every worker compiles its templates and fills its caches before anything is measured."""
    for sessions_file, method, expect in runs:
        load.wrk(base, sessions_file, method, 16, 2, expect)


def _session_files(work: Path, sessions: list[data.UnitSession]) -> dict[str, Path]:
    baseline_body = "response_id=__N__&" + "&".join(f"q{i}=คำตอบ{i}" for i in range(60))
    return {
        "baseline-render": load.write_sessions(work / "b-render.txt", [("", "", "/form", "")]),
        "baseline-save": load.write_sessions(work / "b-save.txt", [("", "", "/form", baseline_body)]),
        "render": load.write_sessions(work / "render.txt", [(s.cookie, s.csrf, f"/responses/{s.response_id}/s/1", "") for s in sessions]),
        "save": load.write_sessions(work / "save.txt", [(s.cookie, s.csrf, f"/responses/{s.response_id}/s/1", s.section_body) for s in sessions]),
        "floor": load.write_sessions(work / "floor.txt", [(s.cookie, s.csrf, f"/_bench/floor/{s.response_id}", "") for s in sessions]),
        "submit": load.write_sessions(work / "submit.txt", [(s.cookie, s.csrf, f"/responses/{s.response_id}/submit", "") for s in sessions]),
    }  # fmt: skip


def _burst(base: str, sessions: list[data.UnitSession], window: float = 60.0) -> dict:
    """Every unit submits once, at a random moment within the window; latencies and errors."""
    rng = random.Random(60)
    plan = sorted((rng.uniform(0, window), s) for s in sessions)
    start = time.monotonic()
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def submit(at: float, s: data.UnitSession) -> None:
        time.sleep(max(0.0, at - (time.monotonic() - start)))
        request = urllib.request.Request(f"{base}/responses/{s.response_id}/submit", method="POST",
                                         data=f"csrf_token={s.csrf}".encode(), headers={"Cookie": s.cookie})  # fmt: skip
        began = time.monotonic()
        status = _status(request)
        with lock:
            latencies.append(time.monotonic() - began)
            if status >= 400:
                errors.append(status)

    with ThreadPoolExecutor(max_workers=64) as pool:
        for at, s in plan:
            pool.submit(submit, at, s)
    latencies.sort()
    return {"requests": len(latencies), "errors": len(errors), "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
            "seconds": time.monotonic() - start}  # fmt: skip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _status(request: urllib.request.Request) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(request, timeout=60).status
    except urllib.error.HTTPError as exc:
        return exc.code if exc.code >= 400 else 200
    except OSError:
        return 599


def probe(kind: str, round_id: int, env: dict[str, str], out: Path) -> dict:
    """A measurement in its own process (its peak memory is its own)."""
    result = subprocess.run([sys.executable, "-m", "bench.probe", kind, str(round_id), str(out)], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def reports_and_scale(label: str, url: str, work: Path, quick: bool) -> list[dict]:
    """The plan round and the person round at 1×, 10× and 40× a province: the directory is copied (701 ->
    7,010 -> 28,040 units, the copies answering the plan questionnaire) and person responses grow with it
    (2,500 -> 25,000 -> 100,000). Each measurement runs in its own process."""
    env = environment(url, work)
    app = new_app(env)
    rounds = _round_ids(app)
    rows, have = [], 0
    factors = (1, 10) if quick else (1, 10, 40)
    for factor in factors:
        log(f"{label}: {factor}× a province")
        units = data.grow_directory(app, factor)
        have += data.person_responses(app, rounds["tablet_satisfaction"], 2500 * factor - have)
        plan = {k: probe(k, rounds["phetchabun_plan"], env, work / f"plan-{k}.xlsx")
                for k in ("aggregate", "raw-aggregate", "export")}  # fmt: skip
        kinds = ("aggregate", "raw-aggregate", "export") + (("raw-export",) if factor == factors[-1] else ())
        person = {k: probe(k, rounds["tablet_satisfaction"], env, work / f"scale-{k}.xlsx") for k in kinds}
        rows.append({"factor": factor, "units": units, "plan": plan, "persons": have, "person": person})
    return rows


def _round_ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from survey_app.extensions import db
    from survey_app.rounds.models import Round

    with app.app_context():
        return {r.form_version.form_key: r.id for r in db.session.query(Round).all()}


def page_weights(work: Path) -> list[pageweight.PageWeight]:
    work = work / "pages"
    work.mkdir(parents=True, exist_ok=True)
    env = environment(f"sqlite:///{work / 'pages.db'}", work)
    app = new_app(env)
    plan_id, _ = data.prepare(app)
    session = data.unit_sessions(app, plan_id)[0]
    with load.gunicorn("survey_app:create_app()", env, "/login") as base:
        return pageweight.measure(base, [("login", "/login"), ("plan section 1", f"/responses/{session.response_id}/s/0")],
                                  session.cookie)  # fmt: skip


def pg_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return None
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return url
    except psycopg.Error:
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller scale (1× and 10×), for a smoke run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="survey-bench-"))
    started = time.monotonic()
    databases = [("SQLite", f"sqlite:///{work / 'sqlite' / 'bench.db'}", f"sqlite:///{work / 'baseline.db'}")]
    (work / "sqlite").mkdir()
    postgres = pg_url()
    if postgres:
        databases.append(("PostgreSQL", postgres, postgres))
    web_rows, bursts = [], {}
    for label, url, baseline in databases:
        rows, burst = web(label, url, baseline, work / label)
        web_rows += rows
        bursts[label] = burst
    label, url, _ = databases[-1]
    log("reports, export and scale")
    scale = reports_and_scale(label, url, work / label, args.quick)
    log("a repeat-heavy round")
    repeat_figures = repeats.measure(url, work / label, 5_000 if args.quick else 20_000)
    log("page weight")
    pages = page_weights(work)
    from bench.table import render

    text = render(web_rows, bursts, scale, pages, label, time.monotonic() - started, [repeats.render(repeat_figures)])
    print(text)
    (ROOT / "docs" / "benchmarks.md").write_text(_document(text), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


def _document(table: str) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    return (f"# Benchmarks\n\nLatest `make bench`: {datetime.now():%Y-%m-%d %H:%M} · commit `{commit}` · "
            f"{os.cpu_count()} cores ({cpu}) · Python {platform.python_version()}\n\n"
            "Ratios compare the app with the bare stack measured in the same run; absolute numbers move with "
            "the machine's load. What was profiled and changed: [performance.md](performance.md).\n\n"
            + table + "\n")  # fmt: skip


if __name__ == "__main__":
    main()

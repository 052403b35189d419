"""A repeat-heavy round for `make bench`: responses each listing ~10 projects of 3 fields (a repeat group,
forms_engine/repeats.py), reported and exported (with the long sheet) against the same floors as the other
rounds: a plain pandas groupby of the same answers (≤ 2×) and bare xlsxwriter writing the same cells (≤ 1.5×).
Repeats are for organisation forms (a person survey may not have one yet), and the bench directory has 701
units, so each unit sends several responses (distinct slots): the reports read them as they read any response.

python -m bench.repeats [--responses N] [--url DATABASE_URL]   (prints the markdown section)
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

ROWS, FIELDS = 10, 3
DEFINITION = """
schema_version: 1
key: bench_projects
title: โครงการของครู (bench)
respondent: organisation
audience: [all]
sections:
  - key: s1
    title: โครงการ
    questions:
      - {key: years, code: "1", type: integer, label: อายุราชการ, min: 0, max: 60}
      - key: projects
        code: "2"
        type: repeat
        label: โครงการ
        allow_none: true
        max_rows: 20
        questions:
          - {key: kind, type: single_choice, label: ประเภท, options: [{value: a, label: พัฒนาครู}, {value: b, label: พัฒนานักเรียน}, {value: c, label: อื่น ๆ}]}
          - {key: budget, type: integer, label: งบประมาณ, min: 0}
          - {key: people, type: integer, label: ผู้เข้าร่วม, min: 0}
"""


def repeat_round(app: Flask, responses: int, seed: int = 11) -> int:
    """Publish the form, open a round over every unit and add `responses` submitted responses, one in twenty
    answering "none" and the rest 5–15 rows; returns the round id."""
    from survey_app.demo.synthetic import _insert_answers, _insert_responses, _response_row
    from survey_app.extensions import db
    from survey_app.forms_engine.answers import NONE_ANSWER, Answer
    from survey_app.forms_engine.loader import load_text
    from survey_app.forms_engine.operations import publish_result
    from survey_app.forms_engine.repeats import new_row_id, row_key
    from survey_app.responses.models import ResponseStatus
    from survey_app.rounds.models import LatePolicy, RoundUnit
    from survey_app.rounds.operations import open_round

    with app.app_context():
        version = publish_result(load_text(DEFINITION, "bench_projects.yaml", expected_key="bench_projects")).version
        now = _now()
        from survey_app.accounts.kinds import OrgKind

        rnd = open_round(version, fiscal_year=2568, title="bench repeats", opens_at=now - timedelta(days=30),
                         closes_at=now + timedelta(days=30), late_policy=LatePolicy.ACCEPT, kinds=list(OrgKind),
                         actor_id=None)  # fmt: skip
        db.session.flush()
        units = list(db.session.scalars(select(RoundUnit).where(RoundUnit.round_id == rnd.id)))
        rng = random.Random(seed)
        for start in range(0, responses, 2000):
            batch = [rng.choice(units) for _ in range(min(2000, responses - start))]
            answer_sets = []
            for _ in batch:
                answers = {"years": Answer.of(rng.randint(0, 40))}
                if rng.random() < 0.05:
                    answers["projects"] = NONE_ANSWER
                else:
                    rids = list(dict.fromkeys(new_row_id() for _ in range(rng.randint(ROWS - 5, ROWS + 5))))
                    answers["projects"] = Answer.of(rids)
                    for rid in rids:
                        answers[row_key("projects", rid, "kind")] = Answer.of(rng.choice("abc"))
                        answers[row_key("projects", rid, "budget")] = Answer.of(rng.randint(0, 200) * 500)
                        answers[row_key("projects", rid, "people")] = Answer.of(rng.randint(5, 300))
                answer_sets.append(answers)
            rows = [
                _response_row(rnd, ru, ResponseStatus.SUBMITTED, rng, start + i, 1, 1) for i, ru in enumerate(batch)
            ]
            _insert_answers(version.parsed, _insert_responses(rows), answer_sets)
            db.session.commit()
        return rnd.id


def _now():  # type: ignore[no-untyped-def]
    from survey_app.core.thai import now_bangkok

    return now_bangkok()


def measure(url: str, work: Path, responses: int) -> dict:
    """The repeat-heavy round's report and export against their floors, each in its own process."""
    from bench.run import environment, new_app, probe

    env = environment(url, work)
    app = new_app(env)
    round_id = repeat_round(app, responses)
    figures = {k: probe(k, round_id, env, work / f"repeat-{k}.xlsx") for k in
               ("aggregate", "raw-aggregate", "export", "raw-export-long")}  # fmt: skip
    return {"responses": responses, **figures}


def render(result: dict) -> str:
    """The benchmark's section for the repeat-heavy round."""
    agg, floor = result["aggregate"], result["raw-aggregate"]
    exp, raw = result["export"], result["raw-export-long"]
    ratio_r = agg["seconds"] / max(floor["seconds"], 1e-9)
    ratio_x = exp["seconds"] / max(raw["seconds"], 1e-9)
    rows = raw["rows"]
    return "\n".join([
        f"## 7. A repeat-heavy round: {result['responses']:,} responses with {rows:,} project rows "
        f"(~{ROWS} rows of {FIELDS} fields each)", "",
        "| | app s | floor s | ratio | app peak RSS MB | target |", "|---|---:|---:|---:|---:|---|",
        f"| report (every aggregate, per field over all rows) | {agg['seconds']:.2f} | {floor['seconds']:.2f} | "
        f"{ratio_r:.2f}× | {agg['rss_mb']:.0f} | ≤ 2× {'✅' if ratio_r <= 2 else '❌'} |",
        f"| workbook (wide + long sheet) vs bare xlsxwriter | {exp['seconds']:.2f} | {raw['seconds']:.2f} | "
        f"{ratio_x:.2f}× | {exp['rss_mb']:.0f} | ≤ 1.5×, ≤ 300 MB "
        f"{'✅' if ratio_x <= 1.5 and exp['rss_mb'] <= 300 else '❌'} |",
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--url", default=None, help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="survey-bench-repeats-"))
    url = args.url or f"sqlite:///{work / 'bench.db'}"
    from bench import data
    from bench.run import environment, new_app

    data.prepare(new_app(environment(url, work)))
    print(render(measure(url, work, args.responses)))


if __name__ == "__main__":
    main()

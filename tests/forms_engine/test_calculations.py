"""`type: calculate`: computed by the server from the answers (per row inside a repeat), rounded half-up once
to its decimals, stored as a number answer (missing when null), and a number for everything that reads it."""

from __future__ import annotations

import random

from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer
from survey_app.forms_engine.builder import SectionRead
from survey_app.forms_engine.loader import load_text
from survey_app.forms_engine.qtypes.calculate import calculated_answers, recompute
from survey_app.forms_engine.sample import sample_answers
from survey_app.forms_engine.types import question_type
from tests.forms_engine.expr_forms import WEIGHTS
from tests.forms_engine.test_expressions import REPEAT_FORM

ROWS = {
    "kpis": Answer.of(["rabc001", "rabc002"]),
    "kpis-rabc001-weight": Answer.of(60), "kpis-rabc001-score": Answer.of(3),
    "kpis-rabc002-weight": Answer.of(40), "kpis-rabc002-score": Answer.of(5),
    "bonus": Answer.of(2),
}  # fmt: skip


def test_a_calculation_in_a_repeat_computes_per_row_and_the_total_over_rows():
    defn = load_text(REPEAT_FORM, "kpi_rows.yaml").definition
    result = calculated_answers(defn, ROWS, "basic_school")
    assert result == {
        "kpis-rabc001-points": Answer.of(1.8),  # 60 · 3 / 100
        "kpis-rabc002-points": Answer.of(2.0),  # 40 · 5 / 100
        "total": Answer.of(5.8),  # (180 + 200) / 100 + 2
    }


def test_null_inputs_make_a_missing_answer_never_zero():
    defn = load_text(REPEAT_FORM, "kpi_rows.yaml").definition
    answers = ROWS | {"kpis-rabc002-score": NA_ANSWER, "bonus": NONE_ANSWER}
    result = calculated_answers(defn, answers, "basic_school")
    assert result["kpis-rabc002-points"] is None  # 40 · N/A
    assert result["total"] is None  # ... + "none"


def test_recompute_sets_and_clears_and_ignores_what_was_posted():
    defn = load_text(WEIGHTS, "kpi_weights.yaml").definition
    stored = {"total": Answer.of(9.99), "share_d": Answer.of(1.0)}
    read = SectionRead(answers={"w_d": Answer.of(2.5), "total": Answer.of(123)})
    recompute(defn, stored, read, "basic_school")
    # 2.5 / 8 = 0.3125 → 0.3; the total has no scores → null → cleared
    assert read.answers["share_d"] == Answer.of(0.3)
    assert "total" not in read.answers and "total" in read.cleared


def test_half_up_on_the_exact_value():
    defn = load_text(WEIGHTS, "kpi_weights.yaml").definition
    answers = {"w_a": Answer.of(2.5), "s_a": Answer.of(5)} | {f"{p}_{k}": Answer.of(1) for p in "ws" for k in "bcd"}
    answers["w_b"] = answers["w_c"] = answers["w_d"] = Answer.of(0)
    # (2.5 · 5 + 0 + 0 + 0) / 100 = 0.125 → 0.13 (half-up; round-half-even would give 0.12)
    assert calculated_answers(defn, answers, None)["total"] == Answer.of(0.13)
    # share_d = w_d / 8 with one decimal: 2 / 8 = 0.25 → 0.3; 1 / 8 = 0.125 → 0.1
    assert calculated_answers(defn, answers | {"w_d": Answer.of(2)}, None)["share_d"] == Answer.of(0.3)
    assert calculated_answers(defn, answers | {"w_d": Answer.of(1)}, None)["share_d"] == Answer.of(0.1)


def test_it_is_a_number_for_reports_checks_and_samples():
    defn = load_text(WEIGHTS, "kpi_weights.yaml").definition
    total = defn.question_map()["total"]
    qt = question_type(total)
    assert qt.numeric and qt.checkable and qt.make_fields(total, defn) == {}
    assert qt.display_value(total, 3.4) == "3.40 คะแนน"
    answers = sample_answers(defn, random.Random(5), "basic_school")
    scores = [answers[f"s_{k}"].value for k in "abcd"]
    weights = [answers[f"w_{k}"].value for k in "abcd"]
    if "total" in answers:  # sampled like the server computes it
        expected = round(sum(w * s for w, s in zip(weights, scores, strict=True)) / 100, 2)
        assert abs(answers["total"].value - expected) <= 0.01

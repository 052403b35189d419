"""static/js/expressions.js evaluates the server's AST with the same meaning: a table of expressions over the
same answers, evaluated by the server (exactly) and by Chromium (floats), must agree."""

from __future__ import annotations

import json
import os
import queue
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from survey_app.forms_engine.expressions import AnswersScope, evaluate, parse
from tests.forms_engine.test_expressions import ANSWERS

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCRIPT = Path(__file__).resolve().parents[2] / "survey_app/static/js/expressions.js"
ROWS = {
    "kpis": ["value", ["rabc001", "rabc002", "rabc003"]],
    "kpis-rabc001-weight": ["value", 40], "kpis-rabc001-score": ["value", 4],
    "kpis-rabc002-weight": ["value", 35.5], "kpis-rabc002-score": ["na", None],
    "kpis-rabc003-weight": ["value", 24.5], "kpis-rabc003-score": ["value", 5],
}  # fmt: skip
TABLE = [
    "a + b", "a - b * 2", "a / 4", "0.1 + 0.2 = 0.3", "a / zero", "a + missing", "a + nothing", "a * unknown",
    "missing > 0", "missing = missing", "missing != 1", "not (missing > 0)", "sum(a, b, missing, nothing)",
    "mean(a, b, unknown)", "count(a, b, missing, nothing)", "min(a, b)", "max(missing, nothing)", "sum(missing)",
    "coalesce(missing, nothing, b)", "if(a > 5, 'big', 'small')", "if(missing > 5, 'big', 'small')",
    "round(2.5)", "round(-2.5)", "round(1.005, 2)", "round(0.125, 2)", "round(a / 3, 4)",
    "answered(nothing) and is_none(nothing) and not is_na(nothing)", "answered(unknown) and is_na(unknown)",
    "answered(missing)", "status = 'done'", "level = 3", "level > 2", "status = 3", "status != 3",
    "selected(topics, 'maths')", "selected(topics, 'art')", "selected(status, 'done')", "count_selected(topics)",
    "count_selected(missing)", "end > start", "a > 5 and b < 3 or missing", "-a + -b", "a = 10.0",
    "sum(kpis.weight)", "sum(kpis.weight) = 100", "count(kpis)", "count(kpis.score)",
    "sum(kpis, weight * score) / 100", "mean(kpis.score)", "count(kpis, score >= 5)", "33.3 + 33.3 + 33.4 = 100",
    "null", "null + 1", "null = null", "coalesce(null, 7)", "answered(a) and null", "count(null, a, null)",
    "if(count(kpis, is_na(score)) > 0, null, sum(kpis, weight * score) / 100)",
    "if(count(kpis, is_na(score)) > 5, null, sum(kpis, weight * score) / 100)",
]  # fmt: skip


def stored(answers) -> dict:  # type: ignore[no-untyped-def]
    return {key: [str(a.state), a.value] for key, a in answers.items()}


def plain(value):  # type: ignore[no-untyped-def]
    return float(value) if isinstance(value, Fraction) else value


class Browser:
    """expressions.js loaded in a blank Chromium page. Playwright runs in a thread of its own, so this works
    beside the e2e tests' session browser (whose event loop owns the main thread)."""

    def __init__(self) -> None:
        self.calls: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        failure = self.results.get(timeout=60)
        if failure is not None:
            raise failure

    def _run(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                page = browser.new_page()
                page.set_content("<html><body></body></html>")
                page.add_script_tag(path=str(SCRIPT))
                self.results.put(None)
                while (call := self.calls.get()) is not None:
                    try:
                        self.results.put(("ok", page.evaluate(*call)))
                    except Exception as exc:  # handed to the test
                        self.results.put(("error", exc))
                browser.close()
        except Exception as exc:
            self.results.put(exc)

    def evaluate(self, script: str, arg: Any) -> Any:
        self.calls.put((script, arg))
        kind, value = self.results.get(timeout=60)
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        self.calls.put(None)
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def js_page():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (Debian package 'chromium')")
    browser = Browser()
    yield browser
    browser.close()


def test_python_and_javascript_agree(js_page):
    from survey_app.forms_engine.answers import Answer, AnswerState

    answers = dict(ANSWERS) | {k: Answer(AnswerState(v[0]), v[1]) for k, v in ROWS.items()}
    data = stored(answers)
    asts = [parse(text).ast for text in TABLE]
    browser = js_page.evaluate(
        "([asts, answers]) => asts.map(a => SurveyExpr.evaluate(a, SurveyExpr.storedScope(answers)))",
        [asts, data],
    )
    for text, from_js in zip(TABLE, browser, strict=True):
        server = plain(evaluate(parse(text), AnswersScope(answers, None)))
        if isinstance(server, float):
            assert from_js == pytest.approx(server, rel=1e-12), text
        else:
            assert from_js == server, text


def test_row_scope_and_hostile_depth_in_the_browser(js_page):
    ast = parse("weight * score + 1").ast
    result = js_page.evaluate(
        "([ast, answers]) => SurveyExpr.evaluate(ast, SurveyExpr.storedScope(answers, ['kpis', 'rabc003']))",
        [ast, ROWS],
    )
    assert result == 24.5 * 5 + 1
    deep = parse("(" * 49 + "1" + ")" * 49 + "+" + "-" * 48 + "2").ast  # as deep as the parser allows
    assert js_page.evaluate("(ast) => SurveyExpr.evaluate(ast, SurveyExpr.storedScope({}))", deep) == 3  # 1 + 2
    assert json.loads(json.dumps(deep)) == deep  # the AST is plain JSON

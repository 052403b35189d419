"""axe-core on every page the browser tests load, so an accessibility fault fails the journey that shows it.

The vendored engine (tests/e2e/vendor/axe-core, see its README) is added to each test browser context as an
init script: the app never serves it. Each HTML document checks itself once it has loaded and reports through
a binding. A page being left (any main-frame navigation: a link, a form post, a goto) has its navigation
request held until that document's report is in, so a test that moves on quickly still has every page it passed
through checked. (Playwright cannot evaluate in a page whose navigation is paused, hence the page reports.)
The last page of each tab is checked when the test body ends. The bar is WCAG 2.0 and 2.1, levels A and AA.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

AXE_DIR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
ENABLED = os.environ.get("E2E_AXE", "1") != "0"  # E2E_AXE=0 switches the checks off while debugging a test

# Runs in every top-level HTML document before the app's own scripts. The timers are captured first and given
# to axe as its own: a test that installs Playwright's fake clock must not freeze the engine's internal queue.
_PAGE_SCRIPT = """(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  const timers = {setTimeout: window.setTimeout.bind(window), clearTimeout: window.clearTimeout.bind(window),
                  setInterval: window.setInterval.bind(window), clearInterval: window.clearInterval.bind(window),
                  now: performance.now.bind(performance)};
  (function (setTimeout, clearTimeout, setInterval, clearInterval) {
__AXE__
  }).call(window, timers.setTimeout, timers.clearTimeout, timers.setInterval, timers.clearInterval);
  const options = {runOnly: {type: 'tag', values: __TAGS__}, resultTypes: ['violations']};
  const summarise = (results) => results.violations.flatMap(rule => rule.nodes.map(node => ({
    rule: rule.id, impact: node.impact || rule.impact || '', help: rule.help,
    target: node.target.map(t => [].concat(t).join(' >>> ')).join(', '),
    summary: node.failureSummary || '', html: (node.html || '').slice(0, 240),
  })));
  const doc = Math.random().toString(36).slice(2);
  const timedOut = () => new Promise(done => timers.setTimeout(() => done([{rule: 'axe-timeout', impact: '',
    help: 'axe-core did not finish within 20 s', target: 'html', summary: '', html: ''}]), 20000));
  let running = null;
  // One run at a time (axe refuses a second); `fresh` checks the document as it is now, after what a test did.
  window.__axeCheck = (fresh) => {
    if (!document.contentType || document.contentType.indexOf('html') < 0) return Promise.resolve([]);
    if (!running || fresh) {
      running = (running || Promise.resolve()).catch(() => null)
        .then(() => Promise.race([window.axe.run(document, options).then(summarise), timedOut()]));
    }
    return running;
  };
  window.__axeReport(doc, location.href, 'new');  // this document is now the page's current one
  window.addEventListener('load', () => {
    if (!document.contentType || document.contentType.indexOf('html') < 0) return;
    const began = timers.now();
    const report = (rows) => window.__axeReport(doc, location.href, rows, rows ? Math.round(timers.now() - began) : 0);
    report(null);  // started (before the load is reported to the test): leaving now waits for the result
    timers.setTimeout(() => window.__axeCheck(false).then(report, (error) => report([{rule: 'axe-error',
      impact: '', help: String(error), target: 'html', summary: '', html: ''}])), 0);
  });
})();"""


@dataclass(frozen=True)
class Violation:
    """One element that breaks one rule on one page, in the words a developer needs to find and fix it."""

    url: str
    rule: str
    impact: str
    help: str
    target: str
    summary: str
    html: str

    def describe(self) -> str:
        summary = " / ".join(line.strip() for line in self.summary.splitlines() if line.strip())
        return f"  - {self.rule} ({self.impact}) at {self.target}: {self.help}\n      {summary}\n      {self.html}"


@cache
def page_script() -> str:
    """The init script with the engine inside; refuses an engine whose bytes are not the pinned release."""
    source = (AXE_DIR / "axe.min.js").read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    if digest != AXE_SHA256:
        raise RuntimeError(f"{AXE_DIR / 'axe.min.js'} is not axe-core {AXE_VERSION} (sha256 {digest})")
    tags = "[" + ", ".join(f"'{t}'" for t in WCAG_TAGS) + "]"
    return _PAGE_SCRIPT.replace("__TAGS__", tags).replace("__AXE__", source.decode("utf-8"))


class AxeWatch:
    """Checks every page of one browser context and keeps what it found (each fault once per page)."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.found: dict[tuple[str, str, str], Violation] = {}
        self.checked: list[str] = []  # every check that finished, by page address (shown with the test's output)
        self.current: dict[Any, str] = {}  # page -> its current document
        self.running: set[str] = set()  # documents whose check has started and not reported
        self.held: dict[str, list[Any]] = {}  # document -> navigations away from it, waiting for its report
        context.expose_binding("__axeReport", self._on_report)
        context.add_init_script(script=page_script())
        context.route("**/*", self._on_request)
        _WATCHES[id(context)] = self

    def _on_report(
        self, source: dict[str, Any], doc: str, url: str, rows: list[dict[str, str]] | str | None, ms: int = 0
    ) -> None:
        if rows == "new":
            self.current[source["page"]] = doc
        elif rows is None:
            self.running.add(doc)
        elif isinstance(rows, list):
            self.running.discard(doc)
            self._keep(url, rows, ms)
            for route in self.held.pop(doc, []):
                route.fallback()

    def _on_request(self, route: Any) -> None:
        request = route.request
        doc = None
        if request.is_navigation_request() and request.frame.parent_frame is None:
            doc = self.current.get(request.frame.page)
        if doc in self.running:  # the page being left is still being checked: let it finish first
            self.held.setdefault(doc, []).append(route)  # type: ignore[arg-type]
        else:
            route.fallback()

    def _keep(self, url: str, rows: list[dict[str, str]], ms: int = 0) -> list[Violation]:
        self.checked.append(f"{url} ({len(rows)} violation(s){f', {ms} ms' if ms else ''})")
        found = [Violation(url=url, **row) for row in rows]
        for violation in found:
            self.found.setdefault((violation.url, violation.rule, violation.target), violation)
        return found

    def check(self, page: Any, *, fresh: bool = False) -> list[Violation]:
        """The page's faults: its load-time check (or, with `fresh`, a new one of the page as it is now)."""
        if page.is_closed() or not page.url.startswith("http"):
            return []
        rows = page.evaluate("fresh => window.__axeCheck ? window.__axeCheck(fresh) : []", fresh)
        return self._keep(page.url, rows)

    def finish(self) -> list[Violation]:
        """Check each tab's last page; everything this context found, in the order it was found."""
        for page in list(self.context.pages):
            self.check(page)
        _WATCHES.pop(id(self.context), None)
        return list(self.found.values())


_WATCHES: dict[int, AxeWatch] = {}


def check_now(page: Any) -> list[Violation]:
    """Check the page as it is at this moment (an error shown, a picker open); also kept for the test's report."""
    watch = _WATCHES.get(id(page.context))
    if watch is None:
        raise RuntimeError("this page's browser context is not watched by axe (use the phone/desktop fixtures)")
    return watch.check(page, fresh=True)


def report(violations: list[Violation]) -> str:
    """A readable list, page by page: rule id, impact, where, what is wrong."""
    lines = [
        f"axe-core {AXE_VERSION}: {len(violations)} accessibility violation(s) of WCAG 2.0/2.1 A/AA "
        "(rule, impact, target selector, how to fix, element):"
    ]
    for url in dict.fromkeys(v.url for v in violations):
        lines.append(url)
        lines.extend(v.describe() for v in violations if v.url == url)
    return "\n".join(lines)

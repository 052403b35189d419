"""Browser journeys: the app served on 127.0.0.1 in a thread, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey_app.core.db import write_intent
from tests.e2e.axe import ENABLED as AXE_ENABLED
from tests.e2e.axe import AxeWatch
from tests.e2e.axe import report as axe_report
from tests.e2e.helpers import PHONE

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, browser tests are skipped, except in CI (REQUIRE_E2E=1), where they fail."""
    if Path(CHROMIUM).exists() or os.environ.get("REQUIRE_E2E") == "1":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (Debian package 'chromium')")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The real app on a free local port, sharing the test database.

    The test thread's own reads begin deferred (no write lock held on SQLite while the browser works).
    """
    write_intent.set(False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def phone(browser, request):  # type: ignore[no-untyped-def]
    """A page at phone size (360 px), Thai locale; every page it loads is checked by axe."""
    context = _watched_context(browser, request, viewport=PHONE, locale="th-TH", device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser, request):  # type: ignore[no-untyped-def]
    """A page at desktop size (1280 px), Thai locale; every page it loads is checked by axe."""
    context = _watched_context(browser, request, viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


AXE_WATCHES = pytest.StashKey[list[AxeWatch]]()


def _watched_context(browser, request: pytest.FixtureRequest, **options):  # type: ignore[no-untyped-def]
    """A browser context whose pages axe checks; the test that asked for it fails on what axe finds."""
    context = browser.new_context(**options)
    if AXE_ENABLED:
        request.node.stash.setdefault(AXE_WATCHES, []).append(AxeWatch(context))
    return context


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):  # type: ignore[no-untyped-def]
    """After a test body has passed, its pages' accessibility faults fail it, listed page by page."""
    result = yield
    watches = item.stash.get(AXE_WATCHES, [])
    found = [violation for watch in watches for violation in watch.finish()]
    item.add_report_section("call", "axe", "\n".join(url for watch in watches for url in watch.checked))
    if found:
        pytest.fail(axe_report(found), pytrace=False)
    return result

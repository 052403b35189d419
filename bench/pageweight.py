"""Page weight and first render on a slow 3G link, measured in Debian's Chromium through Playwright."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8}


@dataclass
class PageWeight:
    name: str
    requests: int
    kilobytes: float
    first_render_s: float


def measure(base: str, pages: list[tuple[str, str]], cookie: str | None) -> list[PageWeight]:
    """(name, path) pages, each loaded cold (empty cache) over slow 3G."""
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, path in pages:
            context = browser.new_context(viewport={"width": 360, "height": 740}, locale="th-TH")
            if cookie and name != "login":
                value = cookie.split("=", 1)[1]
                context.add_cookies([{"name": "survey_session", "value": value, "url": base}])
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            sizes: dict[str, float] = {}
            cdp.on(
                "Network.loadingFinished",
                lambda e, sizes=sizes: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
            )
            page.goto(base + path, wait_until="load", timeout=120_000)
            paint = page.evaluate(
                "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: 0}).startTime"
            )
            results.append(PageWeight(name, len(sizes), sum(sizes.values()) / 1024, paint / 1000))
            context.close()
        browser.close()
    return results

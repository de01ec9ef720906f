"""Browser tests: Playwright drives Debian's Chromium (from its system path) against a live
server on PostgreSQL, and axe-core checks each page for accessibility problems."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by test set-up
# are still plain synchronous code, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots the browser tests save, to look at after a run (git-ignored under var/).
SHOTS = Path(os.environ.get("DOVETAIL_SCREENSHOTS", ROOT / "var" / "screenshots"))
SHOTS.mkdir(parents=True, exist_ok=True)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is not installed: run `make test` (it installs Debian's chromium) "
            "or `apt-get install chromium`."
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Make pages in separate browser contexts (separate cookies: separate people).

    Every page is watched for Content-Security-Policy refusals (a script, style or handler the
    policy blocked): any one fails the test, so a template that needs an inline script shows.
    """
    contexts: list[Any] = []
    refused: list[str] = []

    def make() -> Any:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert refused == [], f"the Content-Security-Policy refused: {refused}"


def axe_violations(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (WCAG 2.x A and AA rules) on the page; return serious/critical problems."""
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing from node_modules: run `make install`.")
    # Evaluated through the DevTools protocol, so it needs no exception in the page's CSP.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]

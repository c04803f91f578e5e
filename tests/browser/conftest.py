"""Headless Chromium (Debian's package) driven by Playwright against a real ASGI server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.asgi_server import asgi_server
from tests.services import CHROMIUM

LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = pytest.mark.browser

# The longest a step may wait for the state it needs (an element, a URL, a text). It is a ceiling, not a pause:
# a step goes on as soon as the state is there. It is long because CI runs two test workers and a server on two
# cores, where a page load can take seconds.
STEP_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def live_app(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), asgi_server() as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser, live_app, transactional_db):
    ctx = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A tab that fails the test if the page breaks its Content-Security-Policy (e.g. an inline script)."""
    tab = context.new_page()
    violations: list[str] = []
    tab.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield tab
    assert not violations, f"CSP violations: {violations}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, name: str) -> None:
    """Run axe-core (from npm, served locally) on the page; fail on serious or critical issues."""
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")  # served by the app, so CSP allows it
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']})"
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    screenshot(page, name)
    assert not bad, f"{name}: " + json.dumps(
        [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]} for v in bad],
        ensure_ascii=False, indent=1,
    )


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

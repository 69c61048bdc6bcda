"""The web inspector in a real browser: Debian's chromium driven by Playwright.

Against a real ``engramdb inspect`` on loopback: a search shows the expected hit with a bar
per reason, its memory page shows its history, an edit shows both versions side by side, and
the context tab packs the query's context within the budget; the page raises no script error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tests.server.conftest import engramdb_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt install chromium)")


@pytest.fixture
def inspector(tmp_path: Path) -> Iterator[str]:
    db = str(tmp_path / "agent.db")
    env = {**os.environ, "ENGRAMDB_EMBEDDER": "hash"}
    for said in ("I adopted a cat named Miso", "I live in Porto"):
        subprocess.run(
            [sys.executable, "-m", "engramdb", "add", said, "--user", "ana", "--speaker", "Ana",
             "--db", db], env=env, check=True, capture_output=True,
        )  # fmt: skip
    with engramdb_server("inspect", db, "--no-browser", env=env) as base:
        yield base


def test_search_memory_page_and_context_in_a_browser(inspector: str) -> None:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{inspector}/ui/")
        page.fill("#query", "What is the name of Ana's cat?")
        page.fill("#user_id", "ana")
        page.press("#query", "Enter")  # the keyboard submits the form
        page.wait_for_selector(".hit")
        assert "Miso" in page.locator(".hit p").first.inner_text()
        assert page.locator(".hit").first.locator(".bar").count() >= 1
        page.locator(".hit .meta a").first.click()
        page.wait_for_selector("h2")
        assert "Miso" in page.inner_text("h2")
        assert "History (1)" in page.locator("h3").all_inner_texts()
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmation
        page.click("button:has-text('Edit')")
        page.fill("#edit-text", "I adopted a cat named Miso in March")
        page.click("button:has-text('Save new version')")
        page.wait_for_selector("h3:has-text('Versions (2)')")  # side by side, the change marked
        assert "in March" in page.inner_text("h2")
        assert "named Miso in March" in page.inner_text("table.versions td.changed")
        page.goto(f"{inspector}/ui/")
        for _ in range(4):  # from the top: the home link, Search, Context, Timeline
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Timeline"
        page.keyboard.press("Enter")
        page.fill("#user_id", "ana")
        page.press("#user_id", "Enter")  # the scope bar submits from the keyboard too
        page.wait_for_selector(".turn")
        assert "Porto" in page.inner_text(".timeline")
        page.goto(f"{inspector}/ui/#/context")
        page.fill("#query", "Where does Ana live?")
        page.fill("#user_id", "ana")
        page.click("#query-form button")
        page.wait_for_selector("pre")
        assert "Porto" in page.inner_text("pre")
        assert "of 1500 tokens" in page.inner_text("#status")
        browser.close()
    assert errors == []


@pytest.fixture
def served_with_keys(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``engramdb serve`` with keys for two tenants; tenant acme has a memory of Ana."""
    db = str(tmp_path / "shared.db")
    env = {**os.environ, "ENGRAMDB_EMBEDDER": "hash"}
    secrets = []
    for tenant in ("acme", "globex"):
        made = subprocess.run(
            [sys.executable, "-m", "engramdb", "keys", "create", "--db", db, "--tenant", tenant],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        secrets.append(made.stdout.strip().splitlines()[-1])
    with engramdb_server("serve", "--db", db, env=env) as base:
        stored = httpx.post(
            f"{base}/v1/memories", headers={"Authorization": f"Bearer {secrets[0]}"},
            json={"messages": "My secret project is called Bluebird", "user_id": "ana"},
        )  # fmt: skip
        assert stored.status_code == 201
        yield base, secrets[0], secrets[1]


def _search(page: object, query: str) -> None:
    page.fill("#query", query)  # type: ignore[attr-defined]
    page.fill("#user_id", "ana")  # type: ignore[attr-defined]
    page.click("#query-form button")  # type: ignore[attr-defined]


def test_tenants_see_only_their_own_and_archive_then_restore(
    served_with_keys: tuple[str, str, str],
) -> None:
    base, acme, globex = served_with_keys
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations
        page.goto(f"{base}/ui/")
        page.fill("#api-key", globex)
        page.click("#key-form button")
        _search(page, "What is the secret project called?")
        page.wait_for_function("document.getElementById('status').textContent.includes('hits')")
        assert page.locator(".hit").count() == 0 and "Bluebird" not in page.content()
        page.fill("#api-key", acme)  # the other tenant's key, typed once
        page.click("#key-form button")
        _search(page, "What is the secret project called?")
        page.wait_for_selector(".hit")
        memory_url = page.locator(".hit .meta a").first.get_attribute("href")
        page.locator(".hit .meta a").first.click()
        page.wait_for_selector("button:has-text('Archive')")
        page.click("button:has-text('Archive')")
        page.wait_for_selector("button:has-text('Restore')")
        assert "archived" in page.inner_text("table")
        page.click("button:has-text('Restore')")
        page.wait_for_selector("button:has-text('Archive')")
        assert "active" in page.inner_text("table")
        page.fill("#api-key", globex)  # globex cannot open acme's memory either
        page.click("#key-form button")
        page.goto(f"{base}/ui/{memory_url}")
        page.wait_for_selector("#status.error")
        assert "404" in page.inner_text("#status") and "Bluebird" not in page.inner_text("#view")
        browser.close()


def test_a_failed_llm_job_is_shown_and_retried_from_the_operations_page(tmp_path: Path) -> None:
    from tests.llm.conftest import Brain

    from engramdb.testing.llm_server import Reply, ScriptedLLMServer

    env = {**os.environ, "ENGRAMDB_EMBEDDER": "hash", "ENGRAMDB_LLM_MODEL": "scripted"}
    with ScriptedLLMServer(Brain()) as model:
        model.push(*[Reply(status=503)] * 3)  # the first extraction fails, every attempt
        db = str(tmp_path / "llm.db")
        with engramdb_server("--llm-base-url", model.url, "inspect", db, "--no-browser",
                             env=env) as base:  # fmt: skip
            stored = httpx.post(
                f"{base}/v1/memories", json={"messages": "I moved to Lisbon", "user_id": "ana"}
            )
            assert stored.status_code == 201, stored.text
            _wait_for(
                lambda: httpx.get(f"{base}/v1/jobs", params={"status": "failed"}).json()["jobs"]
            )
            with playwright.sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page()
                page.goto(f"{base}/ui/#/operations")
                page.wait_for_selector("button:has-text('Retry all 1 failed')")
                assert "503" in page.locator("td.error").first.inner_text()
                page.locator("td button:has-text('Retry')").click()
                page.wait_for_function(
                    "document.getElementById('status').textContent.includes('done 1')"
                )
                page.wait_for_selector("h3:has-text('LLM jobs')")
                assert page.locator("button:has-text('Retry all')").count() == 0
                usage = page.locator("section.card:has(h3:text-is('LLM usage and cost'))")
                assert "extract" in usage.inner_text()
                browser.close()


def _wait_for(condition: Callable[[], object], seconds: float = 60) -> None:
    """Poll ``condition`` until it holds (the LLM worker runs in the background)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)

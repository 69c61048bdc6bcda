"""The inspector on a real conversation: a LoCoMo conversation served by ``engramdb serve``.

Tenant acme's key stores the conversation through the REST API (the bulk route), then a
turn a month later in which John changes jobs, and consolidates it; Debian's chromium,
driven by Playwright, then checks every view: a search
shows the evidence turn with its reasons, the timeline pages through days, sessions, gists
and facts, a fact's page shows its source turn and the fact it superseded, an entity's page
shows its profile and graph, and the operations page its counts. Tenant globex's key sees
none of it in any view. Each view is photographed (into ``$ENGRAMDB_SCREENSHOTS`` when set:
the images in docs/inspector/ come from here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import LOCOMO
from tests.server.conftest import engramdb_server

from engramdb.eval.locomo import conversation_batch, load_locomo, turn_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt install chromium)"),
    pytest.mark.skipif(not LOCOMO.exists(), reason="LoCoMo data not present beside the project"),
]

CONVERSATION = 2  # John and Maria: 32 sessions, 663 turns
QUESTION, EVIDENCE = "When did Maria donate her car?", "D2:1"
# a month after the conversation, John changes jobs: the fact of his old one ("I'm now an
# assistant manager at the mechanical engineering company I work at") is superseded
NEW_JOB = (
    "Big news, Maria! I left the engineering company and I just started working at Tesla"
    " as a software engineer."
)


class Served:
    def __init__(self, base: str, secrets: list[str], user: str, turns: dict[str, str]):
        self.base, self.user, self.turns = base, user, turns
        self.acme, self.globex, self.admin = secrets

    def get(self, path: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.acme}"}
        answer = httpx.get(f"{self.base}{path}", params=params, headers=headers, timeout=60)
        answer.raise_for_status()
        return answer.json()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    conversation = load_locomo(LOCOMO)[CONVERSATION]
    db = str(tmp_path_factory.mktemp("inspector") / "locomo.db")
    secrets = [_create_key(db, "acme"), _create_key(db, "globex")]
    secrets.append(_create_key(db, "ops", "--admin"))
    with engramdb_server("serve", "--db", db, env=dict(os.environ)) as base:
        headers = {"Authorization": f"Bearer {secrets[0]}"}
        items = conversation_batch(conversation)
        for start in range(0, len(items), 8):
            stored = httpx.post(f"{base}/v1/memories/batch", headers=headers, timeout=600,
                                json={"items": _jsonable(items[start : start + 8])})  # fmt: skip
            assert stored.status_code == 201, stored.text
        later = httpx.post(f"{base}/v1/memories", headers=headers, timeout=600, json={
            "messages": [{"role": "user", "name": "John", "content": NEW_JOB}],
            "user_id": conversation.user_id, "session_id": "after",
            "timestamp": (conversation.sessions[-1].when + timedelta(days=30)).isoformat(),
        })  # fmt: skip
        assert later.status_code == 201, later.text
        done = httpx.post(f"{base}/v1/consolidate", headers=headers, timeout=600,
                          json={"user_id": conversation.user_id})  # fmt: skip
        assert done.status_code == 200, done.text
        turns = {t["dia_id"]: turn_text(t) for s in conversation.sessions for t in s.turns}
        yield Served(base, secrets, conversation.user_id, turns)


def _create_key(db: str, tenant: str, *options: str) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "engramdb", "keys", "create", "--db", db, "--tenant", tenant,
         *options],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return made.stdout.strip().splitlines()[-1]


def _jsonable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return json.loads(json.dumps(items, default=lambda value: value.isoformat()))


@pytest.fixture
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _open(browser: Any, served: Served, key: str) -> tuple[Any, list[str]]:
    """A page of the inspector with ``key`` typed once and the conversation's user in scope."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served.base}/ui/")
    page.fill("#api-key", key)
    page.click("#key-form button")
    page.fill("#user_id", served.user)
    return page, errors


def _shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("ENGRAMDB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))
    assert (folder / f"{name}.png").stat().st_size > 10_000  # a rendered page, not a blank one


def test_search_shows_the_evidence_turn_with_its_reasons(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    page, errors = _open(browser, served, served.acme)
    page.fill("#query", QUESTION)
    page.press("#query", "Enter")
    page.wait_for_selector(".hit")
    first = page.locator(".hit").first
    assert served.turns[EVIDENCE][:60] in first.inner_text()  # the fact, or the turn it came from
    reasons = first.locator(".why > span:nth-child(3n+1)").all_inner_texts()
    assert {"lexical", "dense"} <= {r.split(" #")[0] for r in reasons}
    _shoot(page, "search", tmp_path)
    page.goto(f"{served.base}/ui/#/context")
    page.fill("#query", QUESTION)
    page.click("#query-form button")
    page.wait_for_selector("pre")
    assert "of 1500 tokens" in page.inner_text("#status")
    _shoot(page, "context", tmp_path)
    assert errors == []


def test_the_timeline_pages_through_days_sessions_gists_and_facts(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    page, errors = _open(browser, served, served.acme)
    page.goto(f"{served.base}/ui/#/timeline")
    page.wait_for_selector(".turn")
    first_day = page.locator("h3.day").first.inner_text()
    assert first_day == "2022-12-17"  # LoCoMo's first session of this conversation
    assert page.locator(".gist.level-session").count() >= 1
    assert page.locator(".gist.level-episode").count() >= 1
    assert page.locator("ul.facts li").count() >= 1
    assert page.locator(".turn").count() == 50
    _shoot(page, "timeline", tmp_path)
    page.mouse.wheel(0, 50_000)  # the next page comes through the cursor as the reader scrolls
    page.wait_for_function("document.querySelectorAll('.turn').length >= 100")
    ids = page.eval_on_selector_all(".turn", "turns => turns.map(t => t.id)")
    assert len(ids) == len(set(ids)) >= 100  # no turn shown twice
    assert "scroll for more" in page.inner_text("#status")
    assert errors == []


def test_a_facts_page_shows_its_source_turn_and_the_fact_it_superseded(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    listed = served.get("/v1/memories", user_id=served.user, include_superseded="true",
                        filters='{"kind": "fact"}', limit=1000)  # fmt: skip
    old = next(m for m in listed["memories"] if m["status"] == "superseded")
    newer = served.get(f"/v1/memories/{old['superseded_by']}")
    source = served.get(f"/v1/memories/{newer['sources'][0]}")
    page, errors = _open(browser, served, served.acme)
    page.goto(f"{served.base}/ui/#/memory/{newer['id']}")
    page.wait_for_selector("h3:has-text('Truth over time')")
    assert page.inner_text("h2") == newer["text"]
    truth = page.locator("section.card", has_text="Truth over time").inner_text()
    assert old["text"] in truth and "superseded" in truth
    assert source["text"] in page.locator("section.card", has_text="Sources (").inner_text()
    _shoot(page, "memory", tmp_path)
    page.locator("section.card", has_text="Truth over time").get_by_text("open").first.click()
    page.wait_for_function(  # the older value's own page, which links forward to the newer
        "text => document.querySelector('h2')?.textContent !== text", arg=newer["text"]
    )
    page.wait_for_selector("h3:has-text('Truth over time')")
    assert "superseded" in page.locator(".meta .badge").all_inner_texts()
    assert errors == []


def test_an_entitys_page_shows_profile_facts_and_graph(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    page, errors = _open(browser, served, served.acme)
    page.goto(f"{served.base}/ui/#/entities")
    page.wait_for_selector("#entity-filter")
    page.fill("#entity-filter", "John")
    _shoot(page, "entities", tmp_path)
    page.get_by_role("link", name="John", exact=True).click()
    page.wait_for_selector("#graph canvas")
    assert page.inner_text("h2") == "John"
    profile = page.locator("section.card", has_text="Profile").inner_text()
    assert "job" in profile
    assert page.locator("section.card", has_text="Facts now").locator("li").count() >= 10
    _shoot(page, "entity", tmp_path)
    assert errors == []


def _card(page: Any, title: str) -> Any:
    return page.locator(f"section.card:has(h3:text-is('{title}'))")


def test_the_operations_page_counts_the_store_and_manages_keys(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    page, errors = _open(browser, served, served.acme)
    page.goto(f"{served.base}/ui/#/operations")
    page.wait_for_selector("h3:has-text('API keys')")
    # a tenant's key: the whole store's counts and the keys are refused, and the page says so
    assert _card(page, "Store").inner_text().endswith("needs an admin key")
    assert _card(page, "API keys").inner_text().endswith("needs an admin key")
    assert "needs an LLM" in _card(page, "LLM jobs").inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    page.fill("#api-key", served.admin)
    page.click("#key-form button")
    page.wait_for_selector("#new-key-tenant")
    store = _card(page, "Store").inner_text()
    assert "episode 664" in store and "superseded 1" in store and "embedder" in store
    _shoot(page, "operations", tmp_path)
    page.fill("#new-key-tenant", "initech")
    page.click("button:has-text('Create key')")
    page.wait_for_function("document.getElementById('status').textContent.includes('shown once')")
    assert page.inner_text("#status").split(": ")[1].startswith("edb_")
    row = page.locator("tr", has_text="initech")
    row.locator("button:has-text('Revoke')").click()
    page.wait_for_function(
        "!Array.from(document.querySelectorAll('tr')).some("
        "r => r.textContent.includes('initech') && r.querySelector('button'))"
    )
    assert errors == []


def test_another_tenants_key_sees_nothing_in_any_view(browser: Any, served: Served) -> None:
    facts = served.get("/v1/memories", user_id=served.user, filters='{"kind": "fact"}')
    fact = facts["memories"][0]
    john = next(e for e in served.get("/v1/entities", user_id=served.user)["entities"]
                if e["name"] == "John")  # fmt: skip
    page, errors = _open(browser, served, served.globex)
    secret = served.turns[EVIDENCE][:40]
    page.fill("#query", QUESTION)
    page.click("#query-form button")
    page.wait_for_function("document.getElementById('status').textContent.includes('hits')")
    assert page.locator(".hit").count() == 0
    page.goto(f"{served.base}/ui/#/timeline")
    page.wait_for_function("document.getElementById('status').textContent.includes('turns')")
    assert page.locator(".turn").count() == 0
    page.goto(f"{served.base}/ui/#/entities")
    page.wait_for_selector("#entity-filter")
    assert "Entities (0)" in page.inner_text("#view")
    for view in (f"memory/{fact['id']}", f"entity/{john['id']}"):
        page.goto(f"{served.base}/ui/#/{view}")
        page.wait_for_selector("#status.error")
        assert "404" in page.inner_text("#status") and page.inner_text("#view") == ""
    assert secret not in page.content() and fact["text"] not in page.content()
    assert errors == []

// The engramdb inspector: a small static app on the public REST API (no other data path).
// Views are chosen by the address's hash: #/search, #/context, #/timeline, #/entities,
// #/entity/ID, #/memory/ID, #/operations.

import { setKey } from "./api.js";
import { $, show, status } from "./dom.js";
import { entityList, entityPage } from "./entities.js";
import { memoryPage } from "./memory.js";
import { operations } from "./operations.js";
import { context, search } from "./search.js";
import { stopTimeline, timeline } from "./timeline.js";

const NEEDS_SCOPE = "type a user, agent or session above";

const VIEWS = {
  search: () => ($("query").value ? search() : status("type a question, then Recall")),
  context: () => ($("query").value ? context() : status("type a question, then Recall")),
  timeline: () => (hasScope() ? timeline() : status(NEEDS_SCOPE)),
  entities: () => (hasScope() ? entityList() : status(NEEDS_SCOPE)),
  entity: (id) => entityPage(id),
  memory: (id) => memoryPage(id),
  operations: () => operations(),
};

function hasScope() {
  return ["user_id", "agent_id", "session_id"].some((name) => $(name).value.trim());
}

function current() {
  const [, view, id] = location.hash.split("/");
  return { view: VIEWS[view] ? view : "search", id: id && decodeURIComponent(id) };
}

async function route() {
  const { view, id } = current();
  stopTimeline();
  $("query-form").hidden = !["search", "context"].includes(view);
  $("scope-form").hidden = view === "operations";
  for (const link of document.querySelectorAll("nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#/${view}`);
  }
  show();
  status("");
  try {
    await VIEWS[view](id);
  } catch (error) {
    show(); // nothing stale stays on the page (another key's data, say)
    status(error.message, true);
  }
}

$("query-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (current().view !== "context") location.hash = "#/search";
  route();
});
$("scope-form").addEventListener("submit", (event) => {
  event.preventDefault();
  route();
});
$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setKey($("api-key").value.trim());
  $("api-key").value = "";
  route().then(() => { if (!$("status").textContent) status("key kept for this tab"); });
});
window.addEventListener("hashchange", route);
route();

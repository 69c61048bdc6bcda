// The engramdb inspector: a small static app on the public REST API (no other data path).
"use strict";

const KEY = "engramdb.key"; // the API key, kept in this tab's session storage only
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const key = sessionStorage.getItem(KEY);
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new Error(`${response.status} ${error.type || ""}: ${error.message || response.statusText}`);
  }
  return data;
}

function scope() {
  const found = {};
  for (const name of ["user_id", "agent_id", "session_id"]) {
    const value = $(name).value.trim();
    if (value) found[name] = value;
  }
  return found;
}

function asOf() {
  const value = $("as_of").value;
  return value ? new Date(value).toISOString() : undefined;
}

function status(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function show(...nodes) {
  $("view").replaceChildren(...nodes);
}

function memoryLink(memory) {
  return el("a", { href: `#/memory/${encodeURIComponent(memory.id)}` }, memory.id);
}

function whyBars(why) {
  // one bar per reason, scaled to the strongest raw score of its kind in this hit
  const rows = why.map((signal) => {
    const width = Math.max(2, Math.min(100, 100 * Math.abs(signal.score) / (signal.name === "lexical" ? 10 : 1)));
    return [
      el("span", {}, signal.name + (signal.rank ? ` #${signal.rank}` : "")),
      el("div", { class: "bar", style: `width:${width}%`, title: String(signal.score) }),
      el("span", {}, Number(signal.score).toFixed(3)),
    ];
  });
  return el("div", { class: "why", role: "list", "aria-label": "Why it was recalled" }, rows);
}

function hitCard(hit) {
  const memory = hit.memory;
  return el("article", { class: "hit" },
    el("div", { class: "meta" }, `${memory.kind} · ${memory.occurred_at} · score ${hit.score.toFixed(4)} · `, memoryLink(memory)),
    el("p", {}, memory.speaker ? `${memory.speaker}: ${memory.text}` : memory.text),
    whyBars(hit.why),
    hit.sources.length && memory.kind !== "episode"
      ? el("div", { class: "sources" }, el("div", { class: "meta" }, "from"),
          hit.sources.map((source) => el("p", {}, `${source.speaker || source.role || ""}: ${source.text} `, memoryLink(source))))
      : null);
}

async function search() {
  const body = { query: $("query").value, k: Number($("k").value), ...scope() };
  if (asOf()) body.as_of = asOf();
  status("searching...");
  const found = await api("POST", "/v1/search", body);
  status(`${found.hits.length} hits`);
  show(...found.hits.map(hitCard));
}

async function context() {
  const body = { query: $("query").value, budget_tokens: Number($("budget").value), reinforce: false, ...scope() };
  if (asOf()) body.as_of = asOf();
  status("building the context...");
  const built = await api("POST", "/v1/context", body);
  status(`${built.tokens} of ${built.budget_tokens} tokens`);
  const section = (title, items) => el("section", { class: "card" }, el("h3", {}, `${title} (${items.length})`),
    items.map((item) => el("p", {}, item.line, " ", memoryLink(item.memory))));
  show(
    el("section", { class: "card" }, el("h3", {}, "Prompt text"), el("pre", {}, built.text)),
    el("section", { class: "card" }, el("h3", {}, "Profiles"), built.profile.map((line) => el("p", {}, line))),
    section("Facts", built.facts), section("Conversation", built.episodes), section("Latest turns", built.recent));
}

async function memoryPage(id) {
  status("loading...");
  const memory = await api("GET", `/v1/memories/${encodeURIComponent(id)}`);
  const history = await api("GET", `/v1/memories/${encodeURIComponent(id)}/history`);
  const sources = await Promise.all(memory.sources.map((source) =>
    api("GET", `/v1/memories/${encodeURIComponent(source)}`).catch(() => ({ id: source, text: "(gone)" }))));
  const fields = ["kind", "status", "role", "speaker", "occurred_at", "recorded_at", "valid_from",
    "valid_to", "expired_at", "version", "importance", "confidence", "strength", "last_used_at",
    "expires_at", "user_id", "agent_id", "session_id"];
  const act = (label, path, danger = false) => el("button", {
    class: danger ? "danger" : "",
    onclick: async () => {
      if (!confirm(`${label} ${id}?`)) return;
      try { await api(danger ? "DELETE" : "POST", path); route(); } catch (error) { status(error.message, true); }
    },
  }, label);
  status("");
  show(
    el("section", { class: "card" },
      el("h2", {}, memory.text),
      memory.reading && memory.reading !== memory.text ? el("p", { class: "meta" }, `reading: ${memory.reading}`) : null,
      el("table", {}, fields.filter((f) => memory[f] !== null && memory[f] !== undefined)
        .map((f) => el("tr", {}, el("th", {}, f), el("td", {}, String(memory[f]))))),
      memory.superseded_by ? el("p", {}, "superseded by ", memoryLink({ id: memory.superseded_by })) : null,
      el("p", {}, memory.status === "archived" ? act("Restore", `/v1/memories/${id}/restore`) : act("Archive", `/v1/memories/${id}/archive`),
        " ", act("Delete", `/v1/memories/${id}`, true))),
    el("section", { class: "card" }, el("h3", {}, `Sources (${sources.length})`),
      sources.map((source) => el("p", {}, `${source.speaker || source.role || ""}: ${source.text} `, memoryLink(source)))),
    el("section", { class: "card" }, el("h3", {}, `History (${history.events.length})`),
      history.events.map((event) => el("p", {}, `${event.at} · ${event.kind} · ${event.actor}`,
        event.after && event.before && event.after.text !== event.before.text ? ` · "${event.before.text}" → "${event.after.text}"` : ""))));
}

async function route() {
  const [, view, id] = location.hash.split("/");
  try {
    if (view === "memory" && id) await memoryPage(decodeURIComponent(id));
    else if ($("query").value && view === "context") await context();
    else if ($("query").value) await search();
    else show();
  } catch (error) {
    show(); // nothing stale stays on the page (another key's data, say)
    status(error.message, true);
  }
}

$("query-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!location.hash.startsWith("#/context")) location.hash = "#/search";
  route();
});
$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("api-key").value.trim());
  $("api-key").value = "";
  show(); // what the previous key could see is not shown under this one
  status("key kept for this tab");
  route();
});
window.addEventListener("hashchange", route);
route();

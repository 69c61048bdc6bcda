// A memory's page: every field, truth over time, provenance both ways, versions, history,
// and the actions (edit, archive / restore, delete, forget), each confirmed.

import { api, path } from "./api.js";
import { attempt, badge, card, el, interval, list, memoryLink, show, status, table, when } from "./dom.js";

const TIMES = [
  ["occurred_at", "said / happened"], ["valid_from", "true from"], ["valid_to", "true until"],
  ["recorded_at", "learned"], ["expired_at", "stopped being believed"], ["last_used_at", "last used"],
  ["expires_at", "expires"],
];
const OTHER = ["kind", "status", "version", "role", "speaker", "importance", "confidence", "strength",
  "user_id", "agent_id", "session_id", "seq"];

function fields(memory) {
  const rows = [...OTHER.map((f) => [f, memory[f]]), ...TIMES.map(([f, label]) => [`${f} (${label})`, memory[f]])];
  const known = rows.filter(([, value]) => value !== null && value !== undefined);
  if (Object.keys(memory.metadata).length) known.push(["metadata", el("code", {}, JSON.stringify(memory.metadata))]);
  return table(known.map(([name, value]) => [name, value instanceof Node ? value : String(value)]));
}

// the values of one truth in time order: what it replaced, itself, what replaced it
function truthOverTime(lineage) {
  const chain = [...[...lineage.replaced].reverse(), lineage.memory, ...lineage.replaced_by];
  if (chain.length === 1) return null;
  return card("Truth over time", el("ol", { class: "chain" }, chain.map((m) =>
    el("li", { class: m.id === lineage.memory.id ? "current" : m.status },
      el("span", { class: "meta" }, interval(m.valid_from || m.occurred_at, m.valid_to)), " ", m.status !== "active" ? badge(m.status, m.status) : null,
      " ", m.text, " ", m.id === lineage.memory.id ? el("em", {}, "(this memory)") : memoryLink(m, "open")))));
}

// each version's state, side by side (the history's "after" of every change)
function versions(events) {
  const states = events.map((e) => e.after).filter(Boolean);
  const distinct = states.filter((s, i) => i === 0 || JSON.stringify(s) !== JSON.stringify(states[i - 1]));
  if (distinct.length < 2) return null;
  const rows = ["text", "reading", "status", "valid_to", "superseded_by"];
  return card(`Versions (${distinct.length})`, el("div", { class: "scroll" }, el("table", { class: "versions" },
    el("tr", {}, el("th", {}, ""), distinct.map((s) => el("th", {}, `v${s.version} · ${when(s.recorded_at)}`))),
    rows.map((f) => el("tr", {}, el("th", {}, f), distinct.map((s, i) => el("td", {
      class: i && s[f] !== distinct[i - 1][f] ? "changed" : "",
    }, s[f] === null || s[f] === undefined ? "" : String(s[f]))))))));
}

function history(events) {
  return card(`History (${events.length})`, el("ul", { class: "lines" }, events.map((event) =>
    el("li", {}, el("span", { class: "meta" }, when(event.at)), " ", badge(event.kind), ` by ${event.actor}`,
      event.after && event.before && event.after.text !== event.before.text
        ? ` · "${event.before.text}" → "${event.after.text}"` : ""))));
}

function action(label, run, { danger = false, question } = {}) {
  return el("button", {
    type: "button", class: danger ? "danger" : "",
    onclick: async () => {
      if (confirm(question || `${label} this memory?`)) await attempt(run);
    },
  }, label);
}

function editor(memory, reload) {
  const text = el("textarea", { id: "edit-text", rows: 3, "aria-label": "New text" }, memory.text);
  const form = el("form", { class: "edit", hidden: true },
    text, el("button", { type: "submit" }, "Save new version"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!confirm("Write a new version with this text?")) return;
    await attempt(async () => {
      await api("PATCH", path("/v1/memories/{}", memory.id), { text: text.value });
      reload();
    });
  });
  const open = el("button", { type: "button", class: "secondary", onclick: () => { form.hidden = !form.hidden; text.focus(); } }, "Edit");
  return [open, form];
}

function actions(memory, reload) {
  const id = memory.id;
  const gone = () => { show(card(null, el("p", {}, `${id} is gone.`))); status("deleted"); };
  const [edit, form] = editor(memory, reload);
  return el("div", { class: "actions" }, edit, " ",
    memory.status === "archived"
      ? action("Restore", async () => { await api("POST", path("/v1/memories/{}/restore", id)); reload(); })
      : action("Archive", async () => { await api("POST", path("/v1/memories/{}/archive", id)); reload(); }),
    " ", action("Delete", async () => { await api("DELETE", path("/v1/memories/{}", id)); gone(); }, { danger: true }),
    " ", action("Forget", async () => { await api("POST", "/v1/forget", { memory_id: id }); gone(); }, {
      danger: true, question: "Forget this memory and what derives from it, leaving no trace in the store's files?",
    }), form);
}

export async function memoryPage(id) {
  status("loading...");
  const [lineage, { events }] = await Promise.all([
    api("GET", path("/v1/memories/{}/lineage", id)),
    api("GET", path("/v1/memories/{}/history", id)),
  ]);
  const memory = lineage.memory;
  const reload = () => attempt(() => memoryPage(id));
  status("");
  show(
    card(null,
      el("div", { class: "meta" }, badge(memory.kind), " ", badge(memory.status, memory.status), " ", memory.id),
      el("h2", {}, memory.text),
      memory.reading && memory.reading !== memory.text ? el("p", { class: "meta" }, `reading: ${memory.reading}`) : null,
      actions(memory, reload), fields(memory)),
    truthOverTime(lineage),
    card(`Sources (${lineage.sources.length})`, list(lineage.sources)),
    card(`Derived from it (${lineage.derived.length})`, list(lineage.derived)),
    versions(events), history(events));
}

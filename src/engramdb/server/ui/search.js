// Search, explained (a bar per reason, the source turns inline), and the packed context.

import { api, scope } from "./api.js";
import { $, card, el, memoryLink, said, show, status, when } from "./dom.js";

function asOf() {
  const value = $("as_of").value;
  return value ? new Date(value).toISOString() : undefined;
}

function whyBars(why) {
  // one bar per reason; BM25 scores are scaled to 10, the others are already in 0..1
  const rows = why.map((signal) => {
    const scale = signal.name === "lexical" ? 10 : 1;
    const width = Math.max(2, Math.min(100, (100 * Math.abs(signal.score)) / scale));
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
  const sources = hit.sources.length && memory.kind !== "episode"
    ? el("div", { class: "sources" }, el("div", { class: "meta" }, "from"),
        hit.sources.map((source) => el("p", {}, `${said(source)} `, memoryLink(source))))
    : null;
  return el("article", { class: "hit" },
    el("div", { class: "meta" },
      `${memory.kind} · ${when(memory.occurred_at)} · score ${hit.score.toFixed(4)} · `, memoryLink(memory)),
    el("p", {}, said(memory)), whyBars(hit.why), sources);
}

export async function search() {
  const body = { query: $("query").value, k: Number($("k").value), ...scope() };
  if (asOf()) body.as_of = asOf();
  status("searching...");
  const found = await api("POST", "/v1/search", body);
  status(`${found.hits.length} hits`);
  show(...found.hits.map(hitCard));
}

export async function context() {
  const body = { query: $("query").value, budget_tokens: Number($("budget").value), reinforce: false, ...scope() };
  if (asOf()) body.as_of = asOf();
  status("building the context...");
  const built = await api("POST", "/v1/context", body);
  status(`${built.tokens} of ${built.budget_tokens} tokens`);
  const section = (title, items) => card(`${title} (${items.length})`,
    items.map((item) => el("p", {}, item.line, " ", memoryLink(item.memory))));
  show(
    card("Prompt text", el("pre", {}, built.text)),
    card("Profiles", built.profile.map((line) => el("p", {}, line))),
    section("Facts", built.facts), section("Conversation", built.episodes), section("Latest turns", built.recent));
}

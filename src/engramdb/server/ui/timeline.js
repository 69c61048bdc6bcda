// The conversation by day and session, with the gists of consolidation (day, session,
// episode) above the turns they cover and the facts made of each turn below it. Pages come
// through the timeline's cursors as the reader scrolls: a whole store is never loaded.

import { api, query, scope } from "./api.js";
import { badge, el, memoryLink, show, status, when } from "./dom.js";

const PAGE = 50;
const LEVELS = { day: "Day", session: "Session", episode: "Episode" };
const ORDER = { day: 0, session: 1, episode: 2 };
let generation = 0; // a newer timeline (another scope, another view) stops loading this one

function gistBlock(gist) {
  const level = gist.metadata.level || "episode";
  return el("div", { class: `gist level-${level}` },
    el("span", { class: "meta" }, `${LEVELS[level] || level} gist · ${gist.sources.length} turns `),
    gist.text, " ", memoryLink(gist, "open"));
}

function turnBlock(turn, facts) {
  return el("div", { class: "turn", id: `turn-${turn.id}` },
    el("span", { class: "meta" }, when(turn.occurred_at).slice(11)), " ",
    el("strong", {}, turn.speaker || turn.role || ""), " ", turn.text, " ", memoryLink(turn, "open"),
    facts.length ? el("ul", { class: "facts" }, facts.map((fact) => el("li", { class: fact.status },
      badge(fact.kind), fact.status !== "active" ? badge(fact.status, fact.status) : null, " ",
      fact.text, " ", memoryLink(fact, "open")))) : null);
}

// each derived memory goes with the first of its source turns on this page
function placeDerived(page, placed) {
  const onPage = new Set(page.turns.map((turn) => turn.id));
  const byTurn = new Map();
  for (const memory of page.derived) {
    const anchor = memory.sources.find((id) => onPage.has(id));
    if (!anchor || placed.has(memory.id)) continue;
    placed.add(memory.id);
    if (!byTurn.has(anchor)) byTurn.set(anchor, []);
    byTurn.get(anchor).push(memory);
  }
  return byTurn;
}

function renderPage(page, state) {
  const byTurn = placeDerived(page, state.placed);
  const nodes = [];
  for (const turn of page.turns) {
    const day = turn.occurred_at.slice(0, 10);
    if (day !== state.day) {
      nodes.push(el("h3", { class: "day" }, day));
      state.day = day;
      state.session = undefined;
    }
    if (turn.session_id !== state.session) {
      nodes.push(el("h4", { class: "session" }, turn.session_id || "no session"));
      state.session = turn.session_id;
    }
    const derived = byTurn.get(turn.id) || [];
    const gists = derived.filter((m) => m.kind === "summary")
      .sort((a, b) => (ORDER[a.metadata.level] ?? 3) - (ORDER[b.metadata.level] ?? 3));
    // a passage repeats a slice of its turn: the turn is shown whole instead
    const facts = derived.filter((m) => m.kind !== "summary" && m.kind !== "passage");
    nodes.push(...gists.map(gistBlock), turnBlock(turn, facts));
  }
  return nodes;
}

export async function timeline() {
  const mine = ++generation;
  const state = { cursor: undefined, placed: new Set(), day: undefined, session: undefined, turns: 0, loading: false };
  const box = el("div", { class: "timeline" });
  const more = el("button", { type: "button", class: "secondary" }, "Load more");
  const sentinel = el("div", { class: "sentinel" });
  const load = async () => {
    if (state.loading || state.cursor === null || mine !== generation) return;
    state.loading = true;
    status("loading the timeline...");
    try {
      const page = await api("GET", `/v1/timeline${query({ ...scope(), limit: PAGE, cursor: state.cursor })}`);
      if (mine !== generation) return;
      box.append(...renderPage(page, state));
      state.turns += page.turns.length;
      state.cursor = page.next_cursor;
      more.hidden = state.cursor === null;
      status(`${state.turns} turns${state.cursor === null ? " (the whole timeline)" : ", scroll for more"}`);
    } catch (error) {
      status(error.message, true);
    } finally {
      state.loading = false;
    }
  };
  more.addEventListener("click", load);
  show(box, sentinel, more);
  new IntersectionObserver((seen, observer) => {
    if (mine !== generation) observer.disconnect();
    else if (seen.some((entry) => entry.isIntersecting)) load();
  }).observe(sentinel);
  await load();
}

export function stopTimeline() {
  generation++;
}

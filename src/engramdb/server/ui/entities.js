// People and things: the entity list, and an entity's page with its profile, facts over
// time, relations, mentions and a graph of what it is related to (vendored Cytoscape).

import { api, path, query, scope } from "./api.js";
import { badge, card, el, entityHref, interval, memoryLink, paged, said, show, status, table, when } from "./dom.js";

const GRAPH_EDGES = 80; // the newest relations drawn; the table lists them all

function owner() {
  const { user_id, agent_id } = scope(); // entities live in a user / agent, never in one session
  return { user_id, agent_id };
}

async function entityNames() {
  const { entities } = await api("GET", `/v1/entities${query(owner())}`);
  return entities;
}

export async function entityList() {
  status("loading the entities...");
  const entities = await entityNames();
  const filter = el("input", { id: "entity-filter", type: "search", placeholder: "name or kind", "aria-label": "Filter entities" });
  const box = el("div");
  const render = () => {
    const wanted = filter.value.trim().toLowerCase();
    const shown = entities.filter((e) => !wanted || e.name.toLowerCase().includes(wanted) || e.kind === wanted
      || e.aliases.some((a) => a.toLowerCase().includes(wanted)));
    box.replaceChildren(paged(shown, (e) => el("li", { class: "line" },
      badge(e.kind), " ", el("a", { href: entityHref(e.id) }, e.name),
      e.aliases.length ? el("span", { class: "meta" }, ` also ${e.aliases.join(", ")}`) : null), 100));
  };
  filter.addEventListener("input", render);
  render();
  status(`${entities.length} entities`);
  show(card(`Entities (${entities.length})`, el("label", {}, "Filter", filter), box));
}

function loadScript(src) {
  if (window.cytoscape) return Promise.resolve();
  return new Promise((resolve, reject) => {
    document.head.append(el("script", { src, onload: resolve, onerror: () => reject(new Error(`cannot load ${src}`)) }));
  });
}

// relations with something at the other end (an entity, or a value such as a place)
const drawable = (page) => page.relations.filter((r) => (r.subject_id === page.entity.id ? r.object_id : r.subject_id) || r.object_value);

function graphElements(page, names) {
  const me = page.entity;
  const nodes = new Map([[me.id, { data: { id: me.id, label: me.name, kind: "self" } }]]);
  const edges = [];
  for (const r of drawable(page).slice(-GRAPH_EDGES)) {
    const other = r.subject_id === me.id ? r.object_id : r.subject_id;
    const target = other || `value:${r.object_value}`;
    if (!nodes.has(target)) {
      nodes.set(target, { data: { id: target, label: other ? (names.get(other) || other) : r.object_value, kind: other ? "entity" : "value" } });
    }
    const [from, to] = r.subject_id === me.id ? [me.id, target] : [target, me.id];
    edges.push({ data: { id: r.id, source: from, target: to, label: r.predicate, ended: r.valid_to ? "yes" : "no" } });
  }
  return [...nodes.values(), ...edges];
}

async function drawGraph(box, page, names) {
  await loadScript("vendor/cytoscape.min.js");
  const graph = window.cytoscape({
    container: box, elements: graphElements(page, names), wheelSensitivity: 0.2,
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#8aa4c8", width: 18, height: 18 } },
      { selector: "node[kind = 'self']", style: { "background-color": "#1f6feb", width: 28, height: 28, "font-weight": "bold" } },
      { selector: "node[kind = 'value']", style: { shape: "round-rectangle", "background-color": "#d8dee4" } },
      { selector: "edge", style: { label: "data(label)", "font-size": 8, "curve-style": "bezier", "target-arrow-shape": "triangle", width: 1, "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1" } },
      { selector: "edge[ended = 'yes']", style: { "line-style": "dashed" } },
    ],
    layout: { name: "cose", animate: false },
  });
  graph.on("tap", "node[kind = 'entity']", (event) => { location.hash = entityHref(event.target.id()); });
}

function profileCard(profile, facts) {
  if (!profile) return null;
  const rows = Object.entries(profile.slots).map(([slot, values]) => [slot,
    el("span", {}, values.map((v, i) => [i ? "; " : "", v.value, " ", facts.has(v.fact_id) ? memoryLink({ id: v.fact_id }, "fact") : null]))]);
  return card("Profile", rows.length ? table(rows) : el("p", { class: "meta" }, "no slot filled yet"));
}

// "12", or "the newest 1000 of 52,311" when the page holds only the newest
const counted = (shown, total) => (shown < total ? `the newest ${shown} of ${total.toLocaleString("en")}` : String(total));

export async function entityPage(id) {
  status("loading...");
  const page = await api("GET", `${path("/v1/entities/{}", id)}${query(owner())}`);
  const entity = page.entity;
  const [profile, names] = await Promise.all([
    entity.kind === "person" ? api("GET", `${path("/v1/profiles/{}", entity.id)}${query(owner())}`).catch(() => null) : null,
    entityNames().then((all) => new Map(all.map((e) => [e.id, e.name]))),
  ]);
  const factIds = new Set(page.facts.map((f) => f.id));
  const current = page.facts.filter((f) => f.status === "active");
  const past = page.facts.filter((f) => f.status !== "active");
  const factLine = (f) => el("li", { class: `line ${f.status}` }, el("span", { class: "meta" }, interval(f.valid_from || f.occurred_at, f.valid_to)),
    " ", f.status !== "active" ? badge(f.status, f.status) : null, " ", f.text, " ", memoryLink(f, "open"));
  const relationLine = (r) => el("li", { class: `line ${r.valid_to ? "superseded" : ""}` },
    el("span", { class: "meta" }, interval(r.valid_from, r.valid_to)), " ", el("code", {}, r.predicate), " ",
    r.object_id && r.object_id !== entity.id ? el("a", { href: entityHref(r.object_id) }, names.get(r.object_id) || r.object_value)
      : (r.subject_id !== entity.id ? el("a", { href: entityHref(r.subject_id) }, `${names.get(r.subject_id) || r.subject_id} →`) : r.object_value || ""),
    " ", memoryLink({ id: r.fact_id }, "fact"));
  const graph = el("div", { id: "graph", class: "graph", role: "img", "aria-label": `Graph of what ${entity.name} is related to` });
  status("");
  show(
    card(null, el("div", { class: "meta" }, badge(entity.kind), " ", entity.id),
      el("h2", {}, entity.name),
      table([["aliases", entity.aliases.join(", ") || "none"], ["key", entity.key], ["first seen", when(entity.created_at)]])),
    profileCard(profile, factIds),
    card(`Graph (${Math.min(drawable(page).length, GRAPH_EDGES)} of ${page.relation_count} relations; dashed: no longer true)`, graph),
    card(`Facts now (${current.length})`, paged(current, factLine)),
    card(`Facts in the past (${past.length})`, paged(past, factLine)),
    card(`Relations (${counted(page.relations.length, page.relation_count)})`, paged(page.relations, relationLine)),
    card(`Mentions (${counted(page.mentions.length, page.mention_count)})`, paged(page.mentions, (m) => el("li", { class: "line" },
      el("span", { class: "meta" }, when(m.occurred_at)), " ", said(m), " ", memoryLink(m, "open")))));
  if (drawable(page).length) await drawGraph(graph, page, names);
  else graph.replaceWith(el("p", { class: "meta" }, "no relations yet"));
}

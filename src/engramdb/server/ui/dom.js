// Building the page: elements, the status line, links to memories and entities.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

export function status(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

export function show(...nodes) {
  $("view").replaceChildren(...nodes);
}

export function card(title, ...children) {
  return el("section", { class: "card" }, title ? el("h3", {}, title) : null, ...children);
}

export const memoryHref = (id) => `#/memory/${encodeURIComponent(id)}`;
export const entityHref = (id) => `#/entity/${encodeURIComponent(id)}`;

export function memoryLink(memory, label) {
  return el("a", { href: memoryHref(memory.id), class: "id" }, label || memory.id);
}

// "2023-05-08 13:56" from an ISO time (UTC, as stored)
export function when(iso) {
  return iso ? iso.slice(0, 16).replace("T", " ") : "";
}

// when something was true: "2023-05-08 13:56 → now"
export function interval(from, to) {
  return `${when(from) || "?"} → ${when(to) || "now"}`;
}

// run an action; if the API refuses, its own error goes on the status line
export async function attempt(run) {
  try {
    await run();
  } catch (error) {
    status(error.message, true);
  }
}

export function said(memory) {
  const who = memory.speaker || memory.role;
  return who ? `${who}: ${memory.text}` : memory.text;
}

export function badge(text, kind = "") {
  return el("span", { class: `badge ${kind}` }, text);
}

// A memory as one line: its status, time, text and link (for lists of sources, facts, ...)
export function memoryLine(memory, extra = null) {
  return el("li", { class: `line ${memory.status}` },
    badge(memory.kind), memory.status !== "active" ? badge(memory.status, memory.status) : null,
    el("span", { class: "meta" }, when(memory.occurred_at)), " ", said(memory), " ", extra,
    memoryLink(memory, "open"));
}

export function list(memories, extra = () => null) {
  return memories.length ? el("ul", { class: "lines" }, memories.map((m) => memoryLine(m, extra(m))))
    : el("p", { class: "meta" }, "none");
}

// Render `items` a slice at a time: a long list (an entity's mentions) never fills the page at once.
export function paged(items, render, size = 50) {
  const box = el("ul", { class: "lines" });
  let shown = 0;
  const more = el("button", { type: "button", class: "secondary" }, "Show more");
  const next = () => {
    box.append(...items.slice(shown, shown + size).map(render));
    shown += size;
    more.hidden = shown >= items.length;
    more.textContent = `Show more (${items.length - Math.min(shown, items.length)} left)`;
  };
  more.addEventListener("click", next);
  next();
  return el("div", {}, items.length ? box : el("p", { class: "meta" }, "none"), more);
}

export function table(rows) {
  return el("table", {}, rows.map(([name, value]) => el("tr", {}, el("th", {}, name), el("td", {}, value))));
}

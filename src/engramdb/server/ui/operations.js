// Operations: the store's counts, background consolidation, LLM jobs (retry the failed),
// usage and cost, and API keys (the admin routes answer admin keys only).

import { api, path, query } from "./api.js";
import { attempt, badge, card, el, show, status, table, when } from "./dom.js";

// a section whose data may be refused (not an admin key) or absent (no LLM): say which
async function section(title, load, render) {
  try {
    return card(title, render(await load()));
  } catch (error) {
    return card(title, el("p", { class: "meta" }, error.status === 403 ? "needs an admin key" : error.message));
  }
}

const counts = (object) => Object.entries(object || {}).map(([k, v]) => `${k} ${v}`).join(", ");

function statsView(stats) {
  return table([
    ["memories", `${stats.memories} (${counts(stats.by_kind)})`], ["by status", counts(stats.by_status)],
    ["users", stats.users], ["sessions", stats.sessions], ["vectors", stats.vectors],
    ["events", stats.events], ["on disk", `${(stats.bytes_on_disk / 1e6).toFixed(1)} MB`],
    ["embedder", stats.embedder], ["location", stats.location],
  ].filter(([, v]) => v !== undefined));
}

function consolidationView(state) {
  if (!state.enabled) return el("p", { class: "meta" }, "not running in the background (engramdb serve --consolidate-every SECONDS)");
  return table(Object.entries(state).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]));
}

function jobsView({ jobs }, reload) {
  const retry = (ids) => () => attempt(async () => {
    const done = await api("POST", "/v1/jobs/retry", ids ? { job_ids: ids } : {});
    await reload();
    status(`retried: requeued ${done.requeued}, done ${done.done}, failed ${done.failed}`);
  });
  const failed = jobs.filter((j) => j.status === "failed");
  return el("div", {},
    failed.length ? el("button", { type: "button", onclick: retry(null) }, `Retry all ${failed.length} failed`) : null,
    jobs.length ? el("table", {}, el("tr", {}, ["job", "kind", "status", "attempts", "updated", "error", ""].map((h) => el("th", {}, h))),
      jobs.map((j) => el("tr", {}, el("td", {}, el("code", {}, j.id)), el("td", {}, j.kind), el("td", {}, badge(j.status, j.status)),
        el("td", {}, j.attempts), el("td", {}, when(j.updated_at)), el("td", { class: "error" }, j.error || ""),
        el("td", {}, j.status === "failed" ? el("button", { type: "button", onclick: retry([j.id]) }, "Retry") : ""))))
      : el("p", { class: "meta" }, "no jobs"));
}

function usageView(usage) {
  const rows = Object.entries(usage);
  if (!rows.length) return el("p", { class: "meta" }, "no LLM calls since the store was opened");
  const columns = [...new Set(rows.flatMap(([, figures]) => Object.keys(figures)))];
  return el("table", {}, el("tr", {}, el("th", {}, "operation"), columns.map((c) => el("th", {}, c))),
    rows.map(([name, figures]) => el("tr", {}, el("th", {}, name), columns.map((c) => el("td", {}, figures[c] ?? "")))));
}

function keysView({ keys }, reload) {
  const tenant = el("input", { id: "new-key-tenant", required: true, size: 12 });
  const name = el("input", { id: "new-key-name", size: 12 });
  const admin = el("input", { id: "new-key-admin", type: "checkbox" });
  const form = el("form", { class: "inline" },
    el("label", { for: "new-key-tenant" }, "Tenant"), tenant, el("label", { for: "new-key-name" }, "Name"), name,
    el("label", { for: "new-key-admin" }, "Admin"), admin, el("button", { type: "submit" }, "Create key"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await attempt(async () => {
      const made = await api("POST", "/v1/admin/keys", { tenant_id: tenant.value, name: name.value || undefined, admin: admin.checked });
      await reload();
      status(`new key ${made.key.id}: ${made.secret} (shown once: copy it now)`);
    });
  });
  const revoke = (id) => async () => {
    if (!confirm(`Revoke key ${id}? Requests made with it fail from now on.`)) return;
    await attempt(async () => { await api("DELETE", path("/v1/admin/keys/{}", id)); reload(); });
  };
  return el("div", {}, form,
    el("table", {}, el("tr", {}, ["key", "tenant", "name", "admin", "created", "revoked", ""].map((h) => el("th", {}, h))),
      keys.map((k) => el("tr", { class: k.revoked_at ? "superseded" : "" }, el("td", {}, el("code", {}, k.id)), el("td", {}, k.tenant_id),
        el("td", {}, k.name || ""), el("td", {}, k.admin ? "yes" : ""), el("td", {}, when(k.created_at)), el("td", {}, when(k.revoked_at)),
        el("td", {}, k.revoked_at ? "" : el("button", { type: "button", class: "danger", onclick: revoke(k.id) }, "Revoke"))))));
}

export async function operations() {
  status("loading...");
  const reload = () => attempt(operations);
  const sections = await Promise.all([
    section("Store", () => api("GET", "/v1/admin/stats"), statsView),
    section("Consolidation", () => api("GET", "/v1/admin/consolidation"), consolidationView),
    section("LLM jobs", () => api("GET", `/v1/jobs${query({ limit: 200 })}`), (jobs) => jobsView(jobs, reload)),
    section("LLM usage and cost", () => api("GET", "/v1/usage"), usageView),
    section("API keys", () => api("GET", "/v1/admin/keys"), (keys) => keysView(keys, reload)),
  ]);
  status("");
  show(...sections);
}

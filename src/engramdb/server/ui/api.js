// The public REST API, with the key typed once and kept in this tab's session storage.

import { $ } from "./dom.js";

const KEY = "engramdb.key";

export function setKey(key) {
  sessionStorage.setItem(KEY, key);
}

export async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const key = sessionStorage.getItem(KEY);
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    const failure = new Error(`${response.status} ${error.type || ""}: ${error.message || response.statusText}`);
    failure.status = response.status;
    throw failure;
  }
  return data;
}

// the scope typed in the scope bar, as query or body fields
export function scope() {
  const found = {};
  for (const name of ["user_id", "agent_id", "session_id"]) {
    const value = $(name).value.trim();
    if (value) found[name] = value;
  }
  return found;
}

export function query(params) {
  const kept = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== "");
  return kept.length ? `?${new URLSearchParams(kept)}` : "";
}

export const path = (template, id) => template.replace("{}", encodeURIComponent(id));

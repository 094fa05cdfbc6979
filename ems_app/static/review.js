// The privacy officer's queue: overdue items first and marked; each decision needs a comment.
"use strict";
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };

async function call(method, path, body) {
  if (method !== "GET" && body === undefined) body = {};
  const res = await fetch(path, { method, credentials: "same-origin",
    headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}

async function load() {
  const items = await call("GET", "/api/review");
  $("login-view").hidden = true; $("queue").hidden = false;
  const body = $("items"); body.replaceChildren();
  for (const item of items) {
    const tr = el("tr", undefined, item.overdue ? "overdue" : ""); tr.dataset.item = item.id;
    tr.append(el("td", `${item.due_at.slice(0, 10)}${item.overdue ? " 期限超過 / OVERDUE" : ""}`), el("td", item.kind),
              el("td", item.incident_id), el("td", item.summary), el("td", String(item.accesses)));
    const cell = el("td");
    if (item.decision) cell.textContent = `${item.decision}: ${item.comment} (${item.decided_by})`;
    else {
      const comment = el("input"); comment.placeholder = "コメント / comment"; comment.setAttribute("aria-label", "comment");
      cell.append(comment);
      for (const [decision, label] of [["justified", "正当 / Justified"], ["not_justified", "不当 / Not justified"]]) {
        const b = el("button", label);
        b.onclick = async () => { try { await call("POST", `/api/review/${item.id}`, { decision, comment: comment.value }); await load(); } catch (e) { $("message").textContent = e.message; } };
        cell.append(b);
      }
    }
    tr.append(cell); body.append(tr);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").onsubmit = async (ev) => { ev.preventDefault(); const f = new FormData(ev.target);
    try { await call("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") }); await load(); }
    catch (e) { $("message").textContent = e.message; } };
  load().catch(() => { $("login-view").hidden = false; });
});

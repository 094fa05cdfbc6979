// The tablet's offline queue: every update goes into IndexedDB first, with the client_id of the
// press that made it (the hub's idempotency key), and is sent from there strictly in order. A dropout, a reload
// or a closed tab loses nothing; a resend after a lost answer is applied once (the hub answers
// 200 with the first copy). Only what the queue needs is kept, and removed once the hub has it.
// A crew may hold several patients: each entry carries its incident from the press that made it,
// is sent to that incident only, and each incident's entries keep their own order, so switching
// patients with something queued moves nothing from one patient to another.
"use strict";

const Outbox = (() => {
  const DB = "prearrival-tablet", STORE = "outbox";
  let dbPromise = null;
  let flushing = null;
  const listeners = new Set();

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 2);
        req.onupgradeneeded = (ev) => {  // version 1 had no index: its entries stay, and get one
          const store = ev.oldVersion < 1 ? req.result.createObjectStore(STORE, { keyPath: "n", autoIncrement: true })
            : req.transaction.objectStore(STORE);
          if (!store.indexNames.contains("incident_id")) store.createIndex("incident_id", "incident_id");
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }

  async function tx(mode, fn) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  // One entry per submission: `clientId` is the key of the press that made it (common.js
  // `submission`), so the same submission twice is the entry already queued, never a second one.
  // Looked up and added in one transaction: two adds with one key cannot both miss each other.
  // A key already queued for another patient is never taken as "the same": that would drop this
  // patient's update into the other's entry; it gets a key of its own.
  async function add(incidentId, body, clientId) {
    const entry = { incident_id: incidentId, client_id: clientId || newKey(), body: { ...body }, queued_at: new Date().toISOString() };
    const db = await open();
    const stored = await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, "readwrite"), store = t.objectStore(STORE);
      let result = entry;
      const queued = store.getAll();
      queued.onsuccess = () => {
        const same = queued.result.find((e) => e.client_id === entry.client_id);
        if (same && same.incident_id === incidentId) { result = same; return; }
        if (same) entry.client_id = newKey();
        entry.body.client_id = entry.client_id;
        const added = store.add(entry);
        added.onsuccess = () => { entry.n = added.result; };
      };
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
    changed();
    return stored;
  }

  const all = () => tx("readonly", (s) => s.getAll());
  // One patient's queue, oldest first.
  const queued = (incidentId) => tx("readonly", (s) => s.index("incident_id").getAll(incidentId))
    .then((entries) => entries.sort((a, b) => a.n - b.n));
  // How many wait to send, per incident: the patient switcher shows each patient's count.
  async function counts() {
    const n = {};
    for (const e of await all()) n[e.incident_id] = (n[e.incident_id] || 0) + 1;
    return n;
  }
  const remove = (n) => tx("readwrite", (s) => s.delete(n));

  function changed() { for (const fn of listeners) { try { fn(); } catch (e) { /* a view must not stop the queue */ } } }

  // Send everything, oldest first (so each patient's entries in their own order), each to the
  // incident it was queued for; stop at the first that cannot be sent now (it stays first).
  // `send(entry)` resolves with the hub's answer, or throws ApiError (status 0: no network).
  async function flush(send, onSent, onRejected) {
    if (flushing) return flushing;
    flushing = (async () => {
      try {
        for (;;) {
          const [entry] = await all();
          if (!entry) return true;
          try {
            const stored = await send(entry);
            await remove(entry.n);
            onSent(entry, stored);
          } catch (e) {
            // Kept for later: no network, the hub is down, or the session must be renewed.
            if (e.status === 0 || e.status === 401 || e.status === 429 || e.status >= 500) return false;
            await remove(entry.n);  // refused for good (invalid, incident closed): say so, go on
            onRejected(entry, e);
          } finally {
            changed();
          }
        }
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  }

  return { add, all, queued, counts, flush, newClientId: newKey, onChange: (fn) => listeners.add(fn) };
})();

// The tablet's offline queue: every update goes into IndexedDB first, with the client_id of the
// press that made it (the hub's idempotency key), and is sent from there strictly in order. A dropout, a reload
// or a closed tab loses nothing; a resend after a lost answer is applied once (the hub answers
// 200 with the first copy). Only what the queue needs is kept, and removed once the hub has it.
"use strict";

const Outbox = (() => {
  const DB = "prearrival-tablet", STORE = "outbox";
  let dbPromise = null;
  let flushing = null;
  const listeners = new Set();

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "n", autoIncrement: true });
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
  async function add(incidentId, body, clientId) {
    const entry = { incident_id: incidentId, client_id: clientId || newKey(), body: { ...body }, queued_at: new Date().toISOString() };
    entry.body.client_id = entry.client_id;
    const db = await open();
    const stored = await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, "readwrite"), store = t.objectStore(STORE);
      let result = entry;
      const queued = store.getAll();
      queued.onsuccess = () => {
        const same = queued.result.find((e) => e.client_id === entry.client_id);
        if (same) { result = same; return; }
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
  const remove = (n) => tx("readwrite", (s) => s.delete(n));

  function changed() { for (const fn of listeners) { try { fn(); } catch (e) { /* a view must not stop the queue */ } } }

  // Send everything in order; stop at the first that cannot be sent now (it stays first).
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

  return { add, all, flush, newClientId: newKey, onChange: (fn) => listeners.add(fn) };
})();

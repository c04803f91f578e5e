// Offline mode of the check-in desk (issue 10). Loaded before desk.js, which calls window.KetnoiDeskOffline.
//
// While online the desk keeps, in IndexedDB (one database per event): the event's public key, the revocation
// list and a compact badge list (id → name, organization, role, approved, issue counter), refreshed every
// 30 s and on reconnect by delta sync (only what changed after the desk's version). Offline, a scan is
// verified here (Ed25519 with WebCrypto), checked against that list, the revocations and this desk's own log
// of scans, and every scan is queued durably with its nonce, scan time and local verdict. Back online the
// queue is uploaded in order; the server redeems each admission through the same service as online scans (the
// nonce makes a repeated upload harmless; the earliest admission of a badge wins) and logs each refusal
// without counting it. A browser without Ed25519 in WebCrypto says that offline checking is unavailable (no
// JavaScript Ed25519 library is installed in this project to fall back to).
(() => {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk || !window.indexedDB) return;
  const ds = desk.dataset;
  const T = JSON.parse(document.getElementById("desk-texts").textContent);
  const EVENT = ds.event;
  const DB_PREFIX = "ketnoi-desk:";
  const KNOWN = "ketnoi.desk.events"; // localStorage: events with local data in this browser
  const UNSENT = "ketnoi.desk.unsent"; // localStorage: {event: scans not uploaded}, read by app.js on logout
  const SYNC_EVERY = 30000;
  const BATCH = 200;

  // --- IndexedDB -------------------------------------------------------------------------------------------
  const B = window.KetnoiBadgeOffline; // shared with the booth scanner: badge-offline.js
  const { req2p, txDone } = B;

  function openDb(slug) {
    const req = indexedDB.open(DB_PREFIX + slug, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore("meta");
      db.createObjectStore("badges", { keyPath: "i" });
      const scans = db.createObjectStore("scans", { keyPath: "n" });
      scans.createIndex("b", "b");
      scans.createIndex("q", "q");
    };
    return req2p(req);
  }

  function known() {
    try { return JSON.parse(localStorage.getItem(KNOWN) || "[]"); } catch (err) { return []; }
  }
  function setKnown(list) { localStorage.setItem(KNOWN, JSON.stringify([...new Set(list)])); }

  let dbPromise = openDb(EVENT);
  setKnown(known().concat([EVENT]));

  // In memory: what the checks need on every scan.
  const state = { eventId: null, key: null, window: null, revoked: new Set(), version: 0, rv: 0, syncedAt: 0, listAt: 0,
                  queued: 0, reachable: true, lastError: "", noCrypto: false, signedOut: false, held: [] };

  async function getMeta(db) {
    const tx = db.transaction("meta");
    const store = tx.objectStore("meta");
    const [meta, revoked] = await Promise.all([req2p(store.get("meta")), req2p(store.get("revoked"))]);
    return { meta: meta || {}, revoked: revoked || [] };
  }

  async function importKey(k) {
    if (state.noCrypto) return null;
    return B.importKey(k);
  }

  async function load() {
    state.noCrypto = !(await B.cryptoSupported());
    const db = await dbPromise;
    const { meta, revoked } = await getMeta(db);
    state.eventId = meta.e || null;
    state.window = meta.w || null;
    state.version = meta.v || 0;
    state.rv = meta.rv || 0;
    state.syncedAt = meta.syncedAt || 0;
    state.listAt = meta.listAt || 0;
    state.revoked = new Set(revoked);
    state.key = meta.k ? await importKey(meta.k) : null;
    state.queued = await countQueued();
  }

  async function countQueued() {
    const db = await dbPromise;
    return req2p(db.transaction("scans").objectStore("scans").index("q").count(1));
  }

  async function queuedScans() {
    const db = await dbPromise;
    const rows = await req2p(db.transaction("scans").objectStore("scans").index("q").getAll(1));
    return rows.sort((a, b) => a.t - b.t || a.o - b.o);
  }

  const parse = B.parse;

  // --- offline scan ------------------------------------------------------------------------------------------
  // YYYY-MM-DD in Vietnam's time (the event's dates are local dates; UTC+7, no daylight saving).
  const localDay = (ms) => new Date(ms + 7 * 3600 * 1000).toISOString().slice(0, 10);
  let order = 0;
  // The verdict on a scan; an admission is queued in the same transaction that found the badge not yet in.
  async function decide(code, gate, nonce, claims) {
    if (!claims) return { status: "malformed" };
    if (state.noCrypto) return { status: "no_crypto" };
    if (!state.key) return { status: "no_list" };
    const verdict = await B.check(claims, state.key, state.eventId);
    if (verdict !== "ok") return { status: verdict };
    const db = await dbPromise;
    const tx = db.transaction(["badges", "scans"], "readwrite");
    const scans = tx.objectStore("scans");
    const [badge, earlier] = await Promise.all([
      req2p(tx.objectStore("badges").get(claims.badge)),
      req2p(scans.index("b").getAll(claims.badge)),
    ]);
    if (!badge || claims.counter > badge.c) return { status: "unknown" };
    const attendee = { name: badge.n, company: badge.o, role: badge.r };
    if (claims.counter < badge.c || state.revoked.has(`${claims.badge}:${claims.counter}`)) {
      return { status: "revoked", attendee };
    }
    if (!badge.a) return { status: "not_approved", attendee };
    const admitted = earlier.find((s) => s.s === "ok");
    if (admitted) return { status: "already_checked_in", attendee, at: admitted.t, gate: admitted.g };
    const now = Date.now();
    // Outside the event's check-in window (server's checkin_window, local dates): refused when the organizer
    // turned that off; otherwise admitted, and the server marks it early or late on upload.
    if (state.window && !state.window[2]) {
      const today = localDay(now);
      if (today < state.window[0] || today > state.window[1]) return { status: "outside_dates", attendee };
    }
    scans.put({ n: nonce, b: claims.badge, s: "ok", t: now, o: (order += 1), g: gate, c: code, q: 1 });
    await txDone(tx);
    return { status: "ok", attendee, at: now, gate, queued: true };
  }

  async function scanOffline(code, gate, nonce) {
    await ready; // after a reload, the local list is read before the first check
    const claims = parse(code);
    const result = await decide(code, gate, nonce, claims);
    if (!result.queued) {
      // A refusal is queued too, with its verdict: the server logs it (never as a check-in), so the scan log
      // also holds the revoked, forged and repeated badges shown while offline.
      const db = await dbPromise;
      const tx = db.transaction("scans", "readwrite");
      tx.objectStore("scans").put({ n: nonce, b: claims ? claims.badge : 0, s: result.status, t: Date.now(),
                                    o: (order += 1), g: gate, c: String(code).slice(0, 400), q: 1 });
      await txDone(tx);
    }
    state.queued += 1;
    render();
    return result;
  }

  // An online answer goes into the local log too, so this desk knows who is in if the network drops later.
  async function recordOnline(code, gate, nonce, status) {
    const claims = parse(code);
    if (!claims || (status !== "ok" && status !== "already_checked_in")) return;
    const db = await dbPromise;
    const tx = db.transaction("scans", "readwrite");
    tx.objectStore("scans").put({ n: nonce, b: claims.badge, s: "ok", t: Date.now(), g: gate, q: 0 });
    await txDone(tx);
  }

  // --- network ---------------------------------------------------------------------------------------------
  const isOnline = () => navigator.onLine && state.reachable;
  const csrfHeaders = { "X-CSRFToken": ds.csrf, "X-Requested-With": "fetch" };

  function unreachable() {
    state.reachable = false;
    render();
  }

  let syncing = null;
  function sync() {
    if (syncing) return syncing;
    syncing = (async () => {
      const started = performance.now();
      const body = new FormData();
      body.set("desk", deskId());
      body.set("gate", (document.getElementById("gate") || {}).value || "");
      body.set("queue", String(state.queued));
      body.set("since", String(state.version));
      body.set("rv", String(state.rv));
      let response;
      try {
        response = await fetch(ds.syncUrl, { method: "POST", body, credentials: "same-origin", headers: csrfHeaders });
      } catch (err) {
        unreachable();
        throw err;
      }
      if (deniedAnswer(response)) {
        await signedOut();
        throw new Error(`sync ${response.status}`);
      }
      if (!response.ok) throw new Error(`sync ${response.status}`);
      const data = await response.json();
      state.reachable = true;
      await apply(data);
      desk.dataset.lastSyncMs = String(Math.round(performance.now() - started));
    })().finally(() => { syncing = null; render(); });
    return syncing;
  }

  // Signed out (session expired, logged out elsewhere) or no longer desk staff: the sync answers 401/403, or
  // a redirect to the login page.
  const deniedAnswer = (response) => response.redirected || response.status === 401 || response.status === 403;

  // Drop the badge list, the key, the revocations, the local log of answered scans and the cached copy of the
  // page: nobody without desk rights may read them here. Scans not yet uploaded are KEPT: each is a person
  // already admitted (or refused) at the door, and only a signed-in user with desk rights at this event can
  // upload them (the upload endpoint checks that), so keeping them loses nothing and shows nothing — they
  // hold badge codes, a gate and a time, no names. Dropping them would lose check-ins for good.
  async function signedOut() {
    const db = await dbPromise;
    const tx = db.transaction(["meta", "badges", "scans"], "readwrite");
    tx.objectStore("meta").clear();
    tx.objectStore("badges").clear();
    const scans = tx.objectStore("scans");
    const answered = await req2p(scans.index("q").getAllKeys(0));
    answered.forEach((key) => scans.delete(key));
    await txDone(tx);
    await deleteCaches(EVENT);
    Object.assign(state, { eventId: null, key: null, k: null, revoked: new Set(), version: 0, rv: 0,
                           syncedAt: 0, listAt: 0, signedOut: true });
    delete desk.dataset.listVersion;
    render();
  }

  async function apply(data) {
    const db = await dbPromise;
    const tx = db.transaction(["meta", "badges"], "readwrite");
    const badges = tx.objectStore("badges");
    if (data.full) badges.clear();
    for (const [i, n, o, r, a, c] of data.b) badges.put({ i, n, o, r, a, c });
    for (const i of data.d || []) badges.delete(i); // deleted on the server (registration removed)
    const revoked = data.full ? new Set() : new Set(state.revoked);
    for (const [b, c] of data.r) revoked.add(`${b}:${c}`);
    const now = Date.now();
    const changed = data.full || data.b.length || data.r.length || (data.d || []).length;
    const meta = { e: data.e, k: data.k, w: data.w, v: data.v, rv: data.rv, syncedAt: now,
                   listAt: changed || !state.listAt ? now : state.listAt };
    const metaStore = tx.objectStore("meta");
    metaStore.put(meta, "meta");
    metaStore.put([...revoked], "revoked");
    await txDone(tx);
    if (!state.key || meta.k !== state.k) state.key = await importKey(data.k);
    Object.assign(state, { eventId: data.e, k: data.k, window: data.w || null, version: data.v, rv: data.rv, syncedAt: now,
                           listAt: meta.listAt, revoked, signedOut: false });
    desk.dataset.listVersion = String(data.v);
  }

  let flushing = null;
  function flush(slug = EVENT, db = null, uploadUrl = ds.uploadUrl) {
    if (flushing && slug === EVENT) return flushing;
    const run = (async () => {
      const database = db || await dbPromise;
      for (;;) {
        const all = await req2p(database.transaction("scans").objectStore("scans").index("q").getAll(1));
        const batch = all.sort((a, b) => a.t - b.t || a.o - b.o).slice(0, BATCH);
        if (!batch.length) return;
        const body = JSON.stringify({ scans: batch.map((s) => ({
          code: s.c, gate: s.g, nonce: s.n, scanned_at: new Date(s.t).toISOString(), local: s.s })) });
        let response;
        try {
          response = await fetch(uploadUrl, { method: "POST", body, credentials: "same-origin",
                                              headers: { ...csrfHeaders, "Content-Type": "application/json" } });
        } catch (err) {
          unreachable();
          throw err;
        }
        if (!response.ok || response.redirected) throw new Error(`upload ${response.status}`);
        const answers = new Map((await response.json()).results.map((r) => [r.n, r]));
        const tx = database.transaction("scans", "readwrite");
        const store = tx.objectStore("scans");
        for (const scan of batch) {
          const answer = answers.get(scan.n);
          if (answer) store.put({ ...scan, q: 0, sv: answer.s });
        }
        await txDone(tx);
        if (slug === EVENT) state.queued = await countQueued();
        render();
      }
    })();
    if (slug !== EVENT) return run;
    flushing = run.finally(() => { flushing = null; render(); });
    return flushing;
  }

  // Upload first, then sync; a failed upload (server refusing it) still syncs, so organizers see the queue.
  async function reconnect() {
    try {
      await flush();
    } catch (err) {
      state.lastError = String(err);
    }
    try {
      await sync();
    } catch (err) {
      state.lastError = String(err);
    }
  }

  function deskId() {
    let id = localStorage.getItem("ketnoi.desk.id");
    if (!id) {
      id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).replace(/-/g, "");
      localStorage.setItem("ketnoi.desk.id", id);
    }
    return id;
  }

  // --- status bar --------------------------------------------------------------------------------------------
  const bar = document.getElementById("desk-status");
  const ago = (ms) => {
    if (!ms) return T.never;
    const minutes = Math.floor((Date.now() - ms) / 60000);
    return minutes < 1 ? T.just_now : T.minutes_ago.replace("%(n)s", String(minutes));
  };
  const clock = (ms) => new Date(ms).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });

  const notice = document.getElementById("desk-notice");

  function remember() {
    let unsent = {};
    try { unsent = JSON.parse(localStorage.getItem(UNSENT) || "{}"); } catch (err) { /* start over */ }
    for (const h of state.held) unsent[h.slug] = h.n;
    if (state.queued) unsent[EVENT] = state.queued;
    else delete unsent[EVENT];
    localStorage.setItem(UNSENT, JSON.stringify(unsent));
  }

  function render() {
    try { remember(); } catch (err) { /* storage full or blocked: the desk page still warns itself */ }
    if (notice) {
      const lines = [];
      if (state.signedOut) lines.push(T.signed_out);
      if (state.noCrypto) lines.push(T.no_crypto_status);
      for (const h of state.held) lines.push(T.held.replace("%(n)s", String(h.n)).replace("%(event)s", h.slug));
      notice.replaceChildren(...lines.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
      notice.hidden = !lines.length;
      desk.dataset.signedOut = state.signedOut ? "1" : "0";
    }
    if (!bar) return;
    const online = isOnline();
    bar.dataset.online = online ? "1" : "0";
    document.body.dataset.deskOnline = online ? "online" : "offline";
    bar.querySelector("[data-net]").textContent = online ? T.online : T.offline;
    bar.querySelector("[data-queue]").textContent = String(state.queued);
    bar.querySelector("[data-synced]").textContent = state.syncedAt ? `${clock(state.syncedAt)} (${ago(state.syncedAt)})` : T.never;
    bar.querySelector("[data-age]").textContent = ago(state.listAt);
    desk.dataset.queued = String(state.queued);
  }

  // --- clearing: logout, another event ----------------------------------------------------------------------
  async function deleteCaches(slug) {
    if (!window.caches) return;
    const keys = await caches.keys();
    await Promise.all(keys.filter((k) => k.startsWith(`ketnoi-desk-${slug}-`)).map((k) => caches.delete(k)));
  }

  async function dropWorker(slug) {
    if (!navigator.serviceWorker) return;
    const regs = await navigator.serviceWorker.getRegistrations();
    await Promise.all(regs.filter((r) => new URL(r.scope).pathname === `/e/${slug}/desk/`).map((r) => r.unregister()));
  }

  async function deleteEvent(slug) {
    await new Promise((resolve) => {
      const req = indexedDB.deleteDatabase(DB_PREFIX + slug);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
    await deleteCaches(slug);
    await dropWorker(slug);
    setKnown(known().filter((s) => s !== slug));
  }

  async function clearAll() {
    const db = await dbPromise;
    db.close();
    for (const slug of known()) await deleteEvent(slug);
    localStorage.removeItem(KNOWN);
    localStorage.removeItem(UNSENT);
  }

  // Events with local data in this browser: the list kept in localStorage and, where the browser can list
  // them, every desk database (a list lost with localStorage must not leave a database behind).
  async function localEvents() {
    const slugs = new Set(known());
    if (indexedDB.databases) {
      try {
        for (const { name } of await indexedDB.databases()) {
          if (name && name.startsWith(DB_PREFIX)) slugs.add(name.slice(DB_PREFIX.length));
        }
      } catch (err) { /* the localStorage list only */ }
    }
    slugs.delete(EVENT);
    return [...slugs];
  }

  // Opening this event's desk removes every other event's local data, online or not: its badge list, key,
  // revocations, log of answered scans, cached page and service worker. Its scans not yet uploaded go up
  // first when online; any left (offline, or refused by the server) stay in that event's own database and are
  // listed in this desk's notice until that event's desk is opened online again.
  async function forgetOtherEvents() {
    const held = [];
    for (const slug of await localEvents()) {
      try {
        const db = await openDb(slug);
        const waiting = await req2p(db.transaction("scans").objectStore("scans").index("q").count(1));
        if (waiting && isOnline()) {
          try { await flush(slug, db, `/e/${slug}/desk/upload/`); } catch (err) { /* held below */ }
        }
        const tx = db.transaction(["meta", "badges", "scans"], "readwrite");
        const scans = tx.objectStore("scans");
        const [left, answered] = await Promise.all([req2p(scans.index("q").count(1)),
                                                    req2p(scans.index("q").getAllKeys(0))]);
        tx.objectStore("meta").clear();
        tx.objectStore("badges").clear();
        answered.forEach((key) => scans.delete(key));
        await txDone(tx);
        db.close();
        if (left) {
          held.push({ slug, n: left });
          await deleteCaches(slug);
          await dropWorker(slug);
        } else {
          await deleteEvent(slug);
        }
      } catch (err) { /* tried again on the next start */ }
    }
    state.held = held;
    desk.dataset.held = String(held.reduce((sum, h) => sum + h.n, 0)); // other events' scans still waiting
    render();
  }

  document.querySelectorAll('form[action$="/logout/"]').forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.cleared) return;
      event.preventDefault();
      if (state.queued && isOnline()) {
        try { await flush(); } catch (err) { /* asked below */ }
      }
      if (state.queued && !window.confirm(T.logout_queue.replace("%(n)s", String(state.queued)))) return;
      await clearAll();
      form.dataset.cleared = "1";
      form.submit();
    });
  });

  // Leaving for another event through the event switcher: upload, then forget this event's local data. Scans
  // that could not be uploaded (offline) are kept until this desk is opened again with a network.
  document.querySelectorAll(".event-switcher a[href]").forEach((link) => {
    link.addEventListener("click", async (event) => {
      if (new URL(link.href, location.href).pathname.startsWith(`/e/${EVENT}/`)) return;
      event.preventDefault();
      if (state.queued && isOnline()) {
        try { await flush(); } catch (err) { /* kept below */ }
      }
      if (!state.queued) {
        (await dbPromise).close();
        await deleteEvent(EVENT);
      }
      location.href = link.href;
    });
  });

  // --- start ----------------------------------------------------------------------------------------------
  if (navigator.serviceWorker && ds.swUrl) {
    navigator.serviceWorker.register(ds.swUrl, { scope: ds.swScope }).catch(() => {});
  }
  window.addEventListener("online", reconnect);
  window.addEventListener("offline", () => render());
  const ready = load().then(() => {
    render();
    (navigator.onLine ? reconnect() : Promise.resolve()).then(forgetOtherEvents);
  }).catch((err) => { state.lastError = String(err); });
  setInterval(() => {
    if (navigator.onLine) reconnect();
    else render();
  }, SYNC_EVERY);

  window.KetnoiDeskOffline = {
    ready, isOnline, unreachable, scanOffline, recordOnline, sync, flush, reconnect, parse, texts: T,
    state: () => ({ ...state, key: Boolean(state.key), revoked: state.revoked.size }),
  };
})();

// The booth scanner (issue 19): a badge code from the camera or typed is sent to the server, which verifies it
// like the door and answers with the lead as this booth may see it. Without a network the phone checks the
// code's signature with the event's public key (badge-offline.js, shared with the check-in desk) and keeps the
// scan in IndexedDB with its nonce; back online the queue is uploaded once (the nonce makes a repeated upload
// harmless) and names appear then, with each person's consent applied by the server. No attendee list is
// ever stored on the phone: only the event's public key and the scans not yet sent.
(() => {
  "use strict";
  const root = document.getElementById("lead-scan");
  if (!root) return;
  const B = window.KetnoiBadgeOffline;
  const ds = root.dataset;
  const T = JSON.parse(document.getElementById("lead-texts").textContent);
  const EVENT_ID = Number(ds.eventId);
  const BOOTH = ds.booth;
  const form = document.getElementById("lead-scan-form");
  const input = document.getElementById("lead-code");
  const result = document.getElementById("lead-result");
  const recent = document.getElementById("lead-recent");
  const state = { reachable: true, key: null, noCrypto: false, queued: 0 };

  function openDb() {
    const req = indexedDB.open(`ketnoi-leads:${ds.event}`, 1);
    req.onupgradeneeded = () => req.result.createObjectStore("scans", { keyPath: "n" });
    return B.req2p(req);
  }
  const dbPromise = openDb();

  const nonce = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9-]/g, "");
  const isOnline = () => navigator.onLine && state.reachable;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function show(tone, word, lines, link, name) {
    const box = el("div", "", `scan-result tone-${tone}`);
    box.dataset.tone = tone;
    box.append(el("p", word, "scan-word"));
    if (name) box.append(el("p", name, "scan-name"));
    for (const line of lines) if (line) box.append(el("p", line));
    if (link) {
      const a = el("a", T.open);
      a.href = link;
      box.append(a);
    }
    result.replaceChildren(box);
  }

  function personLines(p) {
    const lines = [p.organization, p.buyer_type];
    if (p.consented) lines.push([p.email, p.phone, p.job_title].filter(Boolean).join(" · "));
    else lines.push(T.no_details);
    return lines;
  }

  function addRecent(name, url) {
    if (!recent) return;
    const li = el("li");
    const a = el("a", name);
    a.href = url;
    li.append(a);
    if (recent.children.length === 1 && !recent.querySelector("a")) recent.replaceChildren();
    recent.prepend(li);
  }

  async function countQueued() {
    const db = await dbPromise;
    state.queued = await B.req2p(db.transaction("scans").objectStore("scans").count());
    render();
  }

  function render() {
    root.querySelector("[data-net]").textContent = isOnline() ? T.online : T.offline;
    root.querySelector("[data-queue]").textContent = String(state.queued);
    root.dataset.queued = String(state.queued);
    root.dataset.online = isOnline() ? "1" : "0";
  }

  async function storeOffline(code, n) {
    const claims = B.parse(code);
    if (state.noCrypto) return show("bad", T.refused, [T.no_crypto]);
    const verdict = claims && state.key ? await B.check(claims, state.key, EVENT_ID) : "malformed";
    if (verdict !== "ok") return show("bad", T.refused, [T[verdict] || T.malformed, T.offline_checked]);
    const db = await dbPromise;
    const tx = db.transaction("scans", "readwrite");
    tx.objectStore("scans").put({ n, c: code, t: Date.now(), b: BOOTH });
    await B.txDone(tx);
    await countQueued();
    show("warn", T.offline, [T.saved_offline]);
  }

  async function scan(code) {
    code = String(code || "").trim();
    if (!code) return;
    const n = nonce();
    if (!isOnline()) return storeOffline(code, n);
    const body = new FormData();
    body.set("booth", BOOTH);
    body.set("code", code);
    body.set("nonce", n);
    let response;
    try {
      response = await fetch(ds.scanUrl, { method: "POST", body, credentials: "same-origin",
                                           headers: { "X-CSRFToken": ds.csrf, "X-Requested-With": "fetch" } });
    } catch (err) {
      state.reachable = false;
      render();
      return storeOffline(code, n);
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok || data.status !== "ok") return show("bad", T.refused, [data.message || T.network]);
    show("ok", T.saved, personLines(data.person), data.url, data.person.name);
    if (data.created) addRecent(data.person.name, data.url);
  }

  let flushing = null;
  function flush() {
    if (flushing) return flushing;
    flushing = (async () => {
      const db = await dbPromise;
      const all = await B.req2p(db.transaction("scans").objectStore("scans").getAll());
      const booths = [...new Set(all.map((s) => s.b))];
      let sent = 0;
      for (const booth of booths) {
        const batch = all.filter((s) => s.b === booth).sort((a, b) => a.t - b.t).slice(0, 200);
        const body = JSON.stringify({ booth, scans: batch.map((s) => ({ code: s.c, nonce: s.n,
                                                                       scanned_at: new Date(s.t).toISOString() })) });
        const response = await fetch(ds.uploadUrl, { method: "POST", body, credentials: "same-origin",
          headers: { "X-CSRFToken": ds.csrf, "X-Requested-With": "fetch", "Content-Type": "application/json" } });
        if (!response.ok || response.redirected) throw new Error(`upload ${response.status}`);
        const answers = (await response.json()).results;
        const tx = db.transaction("scans", "readwrite");
        for (const answer of answers) tx.objectStore("scans").delete(answer.n); // answered: never sent again
        await B.txDone(tx);
        for (const answer of answers) {
          if (answer.s === "ok" && booth === BOOTH) addRecent(answer.person.name, `${location.pathname.replace(/scan\/$/, "")}${answer.lead}/`);
        }
        sent += answers.length;
      }
      state.reachable = true;
      await countQueued();
      if (sent) show("ok", T.online, [T.uploaded.replace("%(n)s", String(sent))]);
    })().catch(() => { state.reachable = navigator.onLine && state.reachable; })
      .finally(() => { flushing = null; render(); });
    return flushing;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value;
    input.value = "";
    scan(code);
    input.focus();
  });

  const camera = document.getElementById("camera-toggle");
  if (camera && window.KetnoiQrCamera) {
    window.KetnoiQrCamera.attach({ button: camera, video: document.getElementById("camera-video"),
                                   status: document.getElementById("camera-status"), onCode: scan,
                                   errorText: T.camera });
  }

  // The page and its scripts are kept by a service worker (the desk's, checkin/desk-sw.js), so a reload
  // without a network opens the scanner again; logging out drops that copy and the key (scans not yet sent
  // stay: they hold codes and times only, and only this booth's signed-in people can upload them).
  if (navigator.serviceWorker && ds.swUrl) {
    navigator.serviceWorker.register(ds.swUrl, { scope: ds.swScope }).catch(() => {});
  }
  document.querySelectorAll('form[action$="/logout/"]').forEach((logout) => {
    logout.addEventListener("submit", () => {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "clear" });
      }
    });
  });

  window.addEventListener("online", () => { state.reachable = true; flush(); });
  window.addEventListener("offline", render);
  setInterval(() => { if (navigator.onLine) flush(); }, 30000);

  (async () => {
    state.noCrypto = !(await B.cryptoSupported());
    if (!state.noCrypto) state.key = await B.importKey(ds.key);
    await countQueued();
    if (navigator.onLine) flush();
    root.dataset.ready = "1";
  })();
})();

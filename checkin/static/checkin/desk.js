// Check-in desk: keyboard-wedge scanners (code + Enter) into an always-focused field, a phone camera mode
// (checkin/qr-camera.js), big result with word + colour, sound and vibration, lookup and undo.
// No inline scripts: everything the page does lives here.
(() => {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk) return;

  const scanForm = document.getElementById("scan-form");
  const codeInput = document.getElementById("scan-code");
  const gateInput = document.getElementById("gate");
  const resultRegion = document.getElementById("scan-result");
  const lookupForm = document.getElementById("lookup-form");
  const lookupResults = document.getElementById("lookup-results");
  const csrf = desk.dataset.csrf;
  const gateKey = `ketnoi.desk.gate.${desk.dataset.event}`;

  // --- gate: from the URL, else what this browser used last --------------------------------------------
  if (!new URLSearchParams(location.search).has("gate") && localStorage.getItem(gateKey)) {
    gateInput.value = localStorage.getItem(gateKey);
  }
  gateInput.addEventListener("change", () => {
    gateInput.value = gateInput.value.trim();
    if (gateInput.value) localStorage.setItem(gateKey, gateInput.value);
  });

  // --- helpers ----------------------------------------------------------------------------------------
  const nonce = () => {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  // The same body (and so the same nonce) is re-sent after a network error: the server answers a retry with
  // the first answer instead of ALREADY CHECKED IN.
  async function post(url, body, attempts = 3) {
    for (let i = 0; i < attempts; i += 1) {
      try {
        const response = await fetch(url, {
          method: "POST", body, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
        });
        if (response.status < 500) return response;
      } catch (err) {
        if (i === attempts - 1) throw err;
      }
      await new Promise((r) => setTimeout(r, 300 * (i + 1)));
    }
    throw new Error("server error");
  }

  function show(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    const box = tpl.content.getElementById("scan-result-box");
    const undo = tpl.content.getElementById("undo-panel");
    if (box) resultRegion.replaceChildren(box);
    if (undo) document.getElementById("undo-panel").replaceWith(undo);
    cue(box ? box.dataset.status : "error");
  }

  function showError(message) {
    const box = document.createElement("div");
    box.className = "scan-result tone-bad";
    box.dataset.status = "error";
    const word = document.createElement("p");
    word.className = "scan-word";
    word.textContent = desk.dataset.networkWord || "!";
    const text = document.createElement("p");
    text.textContent = message;
    box.append(word, text);
    resultRegion.replaceChildren(box);
    cue("error");
  }

  // --- sound and vibration ---------------------------------------------------------------------------
  let audio = null;
  function beep(freq, ms, when = 0) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      osc.type = "square";
      gain.gain.value = 0.08;
      osc.connect(gain).connect(audio.destination);
      const start = audio.currentTime + when / 1000;
      osc.start(start);
      osc.stop(start + ms / 1000);
    } catch (err) { /* no audio: the word and colour still say it */ }
  }
  function cue(status) {
    const vibrate = (pattern) => { if (navigator.vibrate) navigator.vibrate(pattern); };
    if (status === "ok") { beep(880, 120); vibrate(80); }
    else if (status === "already_checked_in" || status === "not_approved") {
      beep(520, 120); beep(520, 120, 200); vibrate([80, 60, 80]);
    } else if (status === "undone") { beep(660, 80); }
    else { beep(220, 450); vibrate([300, 100, 300]); }
    document.body.dataset.lastScan = status;
  }

  // --- scanning ---------------------------------------------------------------------------------------
  // Online, the server decides; offline (or when the server does not answer) the desk decides locally and
  // queues the admission with the same nonce, so a request that did reach the server is not counted twice.
  const offline = window.KetnoiDeskOffline || null;
  let busy = Promise.resolve();

  function showLocal(result) {
    const T = offline.texts;
    const box = document.createElement("div");
    box.id = "scan-result-box";
    box.className = `scan-result tone-${T.tones[result.status] || "bad"}`;
    box.dataset.status = result.status;
    box.dataset.offline = "1";
    const line = (text, cls) => {
      const p = document.createElement("p");
      if (cls) p.className = cls;
      p.textContent = text;
      box.append(p);
    };
    line(T.offline_marker, "offline-marker");
    line(T.words[result.status] || result.status, "scan-word");
    if (result.attendee) {
      line(result.attendee.name, "scan-name");
      const role = T.roles[result.attendee.role] || result.attendee.role;
      line(`${result.attendee.company}${role ? ` · ${role}` : ""}`, "scan-company");
    }
    if (result.status === "already_checked_in" && result.at) {
      const time = new Date(result.at).toLocaleString("vi-VN", { hour: "2-digit", minute: "2-digit",
        day: "2-digit", month: "2-digit", year: "numeric" });
      line(T.checked_in_at.replace("%(time)s", time).replace("%(gate)s", result.gate || ""), "scan-when");
    }
    line(T.reasons[result.status] || "", "scan-reason");
    resultRegion.replaceChildren(box);
    cue(result.status);
  }

  async function scanLocally(code, gate, id) {
    if (!gate) {  // an admission without a gate could not be uploaded later
      showError(offline.texts.bad_gate);
      return;
    }
    try {
      showLocal(await offline.scanOffline(code, gate, id));
    } catch (err) {
      showError(desk.dataset.networkError || "Network error");
    }
  }

  async function scanOnline(code, body, gate, id) {
    let response;
    try {
      response = await post(scanForm.action, body, 2);
    } catch (err) {
      if (!offline) throw err;
      offline.unreachable();
      return scanLocally(code, gate, id);
    }
    const status = response.headers.get("X-Scan-Status") || "";
    show(await response.text());
    if (offline) offline.recordOnline(code, gate, id, status).catch(() => {});
  }

  function submitCode(code) {
    code = code.trim();
    if (!code) return;
    const body = new FormData(scanForm);
    const gate = gateInput.value.trim();
    const id = nonce();
    body.set("code", code);
    body.set("gate", gate);
    body.set("nonce", id);
    // Scans are handled one after another, in order, even when a scanner fires them quickly.
    busy = busy.then(() => (offline && !offline.isOnline()
      ? scanLocally(code, gate, id) : scanOnline(code, body, gate, id)))
      .catch(() => showError(desk.dataset.networkError || "Network error"));
    return busy;
  }

  scanForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = codeInput.value;
    codeInput.value = "";
    submitCode(code);
    codeInput.focus();
  });

  // Undo and manual check-in forms (also those that arrive in partials).
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-desk-form]");
    if (!form) return;
    event.preventDefault();
    const body = new FormData(form);
    body.set("gate", gateInput.value.trim());
    body.set("nonce", nonce());
    post(form.action, body).then((r) => r.text()).then(show)
      .catch(() => showError(desk.dataset.networkError || "Network error"))
      .finally(() => codeInput.focus());
  });

  lookupForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams(new FormData(lookupForm));
    params.set("gate", gateInput.value.trim());
    fetch(`${lookupForm.action}?${params}`, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => { lookupResults.innerHTML = html; });
  });

  // --- keep the scan field focused (a keyboard-wedge scanner types wherever the focus is) ---------------
  const keepFocus = () => {
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body || active === document.documentElement) {
        codeInput.focus({ preventScroll: true });
      }
    }, 0);
  };
  document.addEventListener("focusout", keepFocus);
  document.addEventListener("click", keepFocus);
  codeInput.focus();

  // --- camera mode (phones): checkin/qr-camera.js ------------------------------------------------
  window.KetnoiQrCamera.attach({
    button: document.getElementById("camera-toggle"),
    video: document.getElementById("camera-video"),
    status: document.getElementById("camera-status"),
    onCode: submitCode,
    errorText: desk.dataset.cameraError,
  });
})();

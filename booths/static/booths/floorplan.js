// Interactive floor plan: select booths (mouse, touch, keyboard), hold one, and follow live changes.
(() => {
  "use strict";
  const root = document.getElementById("floorplan");
  if (!root) return;

  const labels = {};
  root.querySelectorAll("[data-status-label]").forEach((el) => { labels[el.dataset.statusLabel] = el.textContent; });
  const panel = root.querySelector("[data-panel]");
  const details = root.querySelector("[data-panel-details]");
  const empty = root.querySelector("[data-panel-empty]");
  const holdForm = root.querySelector("[data-hold-form]");
  const errorBox = root.querySelector("[data-plan-error]");
  const okBox = root.querySelector("[data-plan-ok]");
  const liveStatus = root.querySelector("[data-live-status]");
  const pageLink = root.querySelector("[data-booth-page]");
  let selected = null;

  const boothEl = (id) => root.querySelector(`.booth[data-id="${id}"]`);
  const field = (name) => details.querySelector(`[data-field="${name}"]`);

  function showPanel(g) {
    if (!g) return;
    empty.hidden = true;
    details.hidden = false;
    field("code").textContent = g.dataset.code;
    field("status").textContent = labels[g.dataset.status] || g.dataset.status;
    field("kind").textContent = g.dataset.kind;
    field("size").textContent = g.dataset.size;
    field("zone").textContent = g.dataset.zone || "—";
    field("price").textContent = g.dataset.price;
    field("exhibitor").textContent = g.dataset.exhibitor || "—";
    if (holdForm) {
      holdForm.hidden = g.dataset.status !== "free";
      holdForm.querySelector("input[name=booth]").value = g.dataset.id;
    }
    if (pageLink) {
      pageLink.hidden = !g.dataset.exhibitor;
      pageLink.querySelector("a").href = `/e/${root.dataset.event}/booths/${encodeURIComponent(g.dataset.code)}/`;
    }
  }

  function select(id, focusPanel) {
    const g = boothEl(id);
    if (!g) return;
    if (selected) selected.setAttribute("aria-pressed", "false");
    selected = g;
    g.setAttribute("aria-pressed", "true");
    showPanel(g);
    if (focusPanel && holdForm && !holdForm.hidden) holdForm.querySelector("button").focus();
  }

  root.addEventListener("click", (e) => {
    const g = e.target.closest(".booth[data-id]");
    if (g) { select(g.dataset.id, false); return; }
    const b = e.target.closest("[data-select]");
    if (b) { select(b.dataset.select, false); boothEl(b.dataset.select).focus(); }
  });
  root.addEventListener("keydown", (e) => {
    const g = e.target.closest(".booth[data-id]");
    if (g && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); select(g.dataset.id, e.key === "Enter"); }
  });

  // Zoom: the SVG scales with its viewBox; buttons change its width inside a scrollable box.
  let zoom = 1;
  function applyZoom() { root.querySelectorAll(".plan-svg").forEach((s) => s.style.setProperty("--zoom", zoom)); }
  root.querySelectorAll("[data-zoom-step]").forEach((b) => b.addEventListener("click", () => {
    zoom = Math.min(6, Math.max(1, zoom * parseFloat(b.dataset.zoomStep))); applyZoom();
  }));
  root.querySelectorAll("[data-zoom-reset]").forEach((b) => b.addEventListener("click", () => { zoom = 1; applyZoom(); }));

  function apply(state) {
    const g = boothEl(state.id);
    if (!g) return;
    const changed = g.dataset.status !== state.status;
    g.dataset.status = state.status;
    g.dataset.exhibitor = state.exhibitor || "";
    g.dataset.booking = state.booking || "";
    g.classList.remove("st-free", "st-held", "st-reserved", "st-confirmed", "st-blocked");
    g.classList.add(`st-${state.status}`);
    const label = labels[state.status] || state.status;
    g.querySelector(".booth-status").textContent = label;
    g.querySelector("title").textContent = state.code + (state.exhibitor ? ` – ${state.exhibitor}` : "");
    const aria = [`${state.code} ${label}`, g.dataset.kind];
    if (state.exhibitor) aria.push(state.exhibitor);
    g.setAttribute("aria-label", aria.join(", "));
    const row = root.querySelector(`[data-row-for="${state.id}"]`);
    if (row) {
      row.querySelector('[data-cell="status"]').textContent = label;
      row.querySelector('[data-cell="exhibitor"]').textContent = state.exhibitor || "";
    }
    if (changed) { g.classList.remove("flash"); void g.getBBox(); g.classList.add("flash"); }
    if (selected === g) showPanel(g);
  }

  async function resync() {
    const res = await fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    (await res.json()).booths.forEach(apply);
  }

  function say(box, text) {
    errorBox.hidden = true; okBox.hidden = true;
    box.textContent = text; box.hidden = false;
  }

  if (holdForm) {
    holdForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      const button = holdForm.querySelector("button");
      button.setAttribute("aria-busy", "true");
      try {
        const res = await fetch(holdForm.action, {
          method: "POST", body: new FormData(holdForm), headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const data = await res.json();
        if (res.ok) {
          // The full page shows the new hold in "My booths" with its Reserve button.
          window.location.assign(window.location.pathname + "?held=" + encodeURIComponent(data.booth));
          return;
        }
        say(errorBox, data.message);
        await resync().catch(() => {});
      } catch (err) {
        say(errorBox, err.message);
      } finally {
        button.removeAttribute("aria-busy");
      }
    });
  }

  // Live updates (static/js/live.js: heartbeat, "Reconnecting…", backoff). The version is a fingerprint of the
  // whole plan: on connect and whenever a heartbeat's differs from the last one, fetch the whole state, so nothing
  // missed while away (or lost in a Redis restart) stays on screen.
  window.KetNoiLive.follow({
    path: root.dataset.ws,
    status: liveStatus,
    onLive: (on) => { root.dataset.live = on ? "1" : "0"; },
    resync: () => resync(),
    onMessage: (msg) => { if (msg.type === "booths") msg.booths.forEach(apply); },
  });

  const held = new URLSearchParams(window.location.search).get("held");
  if (held) {
    const g = root.querySelector(`.booth[data-code="${CSS.escape(held)}"]`);
    if (g) select(g.dataset.id, false);
  }
})();

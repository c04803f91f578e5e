// Organizer check-in dashboard: follows the event's "checkin" websocket group and refreshes the figures.
// A message bumps the total at once; the full figures (role, gate, 15-minute slots) are re-read at most
// once a second, so a busy door does not turn into a flood of requests. The socket, its heartbeat and the
// "Reconnecting…" line are static/js/live.js; a heartbeat whose version (the event's check-in figures) differs
// from the last one re-reads the figures, so a message lost while Redis restarted never leaves them stale.
(() => {
  "use strict";
  const root = document.getElementById("checkin-dashboard");
  if (!root || !window.KetNoiLive) return;
  let refreshTimer = null;

  function refresh() {
    refreshTimer = null;
    return fetch(root.dataset.countsUrl, { credentials: "same-origin", cache: "no-store" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const tpl = document.createElement("template");
        tpl.innerHTML = html;
        const fresh = tpl.content.getElementById("checkin-counts");
        if (fresh) document.getElementById("checkin-counts").replaceWith(fresh);
      });
  }

  function onMessage(message) {
    const total = document.getElementById("checked-in-total");
    if (total && typeof message.delta === "number") {
      total.textContent = String(Math.max(0, Number(total.textContent) + message.delta));
    }
    if (!refreshTimer) refreshTimer = setTimeout(() => refresh().catch(() => {}), 1000);
  }

  window.KetNoiLive.follow({
    path: root.dataset.wsPath,
    status: document.querySelector("[data-live-status]"),
    onLive: (on) => { document.body.dataset.live = on ? "open" : "closed"; },
    resync: () => refresh(),  // on connect (anything missed while away) and when a heartbeat shows a change
    onMessage,
  });
})();

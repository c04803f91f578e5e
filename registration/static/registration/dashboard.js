// Organizer check-in dashboard: follows the event's "checkin" websocket group and refreshes the figures.
// A message bumps the total at once; the full figures (role, gate, 15-minute slots) are re-read at most
// once a second, so a busy door does not turn into a flood of requests.
(() => {
  "use strict";
  const root = document.getElementById("checkin-dashboard");
  if (!root) return;
  const status = document.getElementById("live-status");
  let refreshTimer = null;
  let retry = 500;

  function refresh() {
    refreshTimer = null;
    fetch(root.dataset.countsUrl, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const tpl = document.createElement("template");
        tpl.innerHTML = html;
        const fresh = tpl.content.getElementById("checkin-counts");
        if (fresh) document.getElementById("checkin-counts").replaceWith(fresh);
      })
      .catch(() => {});
  }

  function onMessage(message) {
    const total = document.getElementById("checked-in-total");
    if (total && typeof message.delta === "number") {
      total.textContent = String(Math.max(0, Number(total.textContent) + message.delta));
    }
    if (!refreshTimer) refreshTimer = setTimeout(refresh, 1000);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${root.dataset.wsPath}`);
    socket.addEventListener("open", () => {
      retry = 500;
      status.textContent = status.dataset.connected;
      document.body.dataset.live = "open";
      refresh();  // catch up on anything missed while disconnected
    });
    socket.addEventListener("message", (event) => {
      try { onMessage(JSON.parse(event.data)); } catch (err) { /* ignore malformed frames */ }
    });
    socket.addEventListener("close", () => {
      status.textContent = status.dataset.disconnected;
      document.body.dataset.live = "closed";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    });
  }
  connect();
})();

// Live table board: refresh the rows when the server announces a change, or when a heartbeat's version (a
// fingerprint of the event's meetings) differs from the last one (static/js/live.js: heartbeat, "Reconnecting…",
// backoff). Polling every 15 s stays as the fallback (and catches the slot changing on the clock).
document.addEventListener("DOMContentLoaded", () => {
  const board = document.querySelector("[data-board-socket]");
  if (!board || !window.KetNoiLive || !window.htmx) return;
  const changed = () => window.htmx.trigger("#board-rows", "board-changed");
  window.KetNoiLive.follow({
    path: board.dataset.boardSocket,
    status: document.querySelector("[data-live-status]"),
    onLive: (on) => { board.dataset.live = on ? "on" : "off"; },
    resync: changed,
    onMessage: changed,
  });
});

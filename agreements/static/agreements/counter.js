// Big-screen counter: follow the event's agreement tallies over a websocket (static/js/live.js: heartbeat,
// "Reconnecting…", backoff). A heartbeat whose version differs from the counts shown re-reads them from the page.
(() => {
  const root = document.querySelector("[data-ws]");
  if (!root || !window.KetNoiLive) return;
  const set = (key, value) => {
    const el = root.querySelector(`[data-count="${key}"]`);
    if (el && el.textContent !== String(value)) {
      el.textContent = value;
      el.classList.remove("bump");
      void el.offsetWidth; // restart the highlight animation
      el.classList.add("bump");
    }
  };
  let shown; // version of the counts on screen (unknown for the server-rendered ones: the first state resyncs)
  window.KetNoiLive.follow({
    path: root.dataset.ws,
    status: root.querySelector("[data-live-status]"),
    onLive: (on) => { root.dataset.live = on ? "1" : ""; },
    behind: (version) => version !== shown,
    resync: (version) => window.KetNoiLive.refreshFrom(window.location.href, root, "[data-count]")
      .then(() => { shown = version; }),
    onMessage: (data) => {
      if (data.type !== "counts") return;
      shown = data.version;
      set("total", data.total);
      set("business", data.business);
      set("distributors", data.distributors);
      Object.entries(data.by_kind).forEach(([kind, n]) => set(`kind-${kind}`, n));
    },
  });
})();

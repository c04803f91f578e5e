// Big-screen counter: follow the event's agreement tallies over a websocket and reconnect when it drops.
(() => {
  const root = document.querySelector("[data-ws]");
  if (!root) return;
  const state = root.querySelector("[data-state]");
  const msg = (name) => root.querySelector(`template[data-msg="${name}"]`).innerHTML.trim();
  const set = (key, value) => {
    const el = root.querySelector(`[data-count="${key}"]`);
    if (el && el.textContent !== String(value)) {
      el.textContent = value;
      el.classList.remove("bump");
      void el.offsetWidth; // restart the highlight animation
      el.classList.add("bump");
    }
  };
  let delay = 1000;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${root.dataset.ws}`);
    socket.addEventListener("open", () => { delay = 1000; state.textContent = msg("online"); root.dataset.live = "1"; });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type !== "counts") return;
      set("total", data.total);
      set("business", data.business);
      set("distributors", data.distributors);
      Object.entries(data.by_kind).forEach(([kind, n]) => set(`kind-${kind}`, n));
    });
    socket.addEventListener("close", () => {
      root.dataset.live = "";
      state.textContent = msg("offline");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  connect();
})();

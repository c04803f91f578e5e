// Live table board: refresh the rows when the server announces a change; polling every 15 s stays as the
// fallback (and catches the slot changing on the clock).
document.addEventListener("DOMContentLoaded", () => {
  const board = document.querySelector("[data-board-socket]");
  if (!board || !("WebSocket" in window) || !window.htmx) return;
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + board.dataset.boardSocket;
  let wait = 1000;
  const connect = () => {
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => { wait = 1000; board.dataset.live = "on"; });
    socket.addEventListener("message", () => window.htmx.trigger("#board-rows", "board-changed"));
    socket.addEventListener("close", () => {
      board.dataset.live = "off";
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30000);
    });
  };
  connect();
});

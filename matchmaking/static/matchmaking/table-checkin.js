// Table check-in: a keyboard-wedge scanner (code + Enter) or the phone camera (checkin/qr-camera.js)
// posts the badge code; the answer box (a word, not colour only) replaces the result region.
// Without JavaScript the form posts normally and the page comes back with the answer.
(() => {
  "use strict";
  const root = document.getElementById("table-checkin");
  const form = document.getElementById("tc-scan-form");
  if (!root || !form) return;
  const input = document.getElementById("tc-code");
  const region = document.getElementById("table-scan-result");
  let busy = Promise.resolve();

  function showError(message) {
    const box = document.createElement("div");
    box.className = "scan-result tone-bad";
    box.dataset.status = "error";
    const word = document.createElement("p");
    word.className = "scan-word";
    word.textContent = "!";
    const text = document.createElement("p");
    text.textContent = message;
    box.append(word, text);
    region.replaceChildren(box);
  }

  function submitCode(code) {
    code = code.trim();
    if (!code) return busy;
    const body = new FormData(form);
    body.set("code", code);
    // Scans are sent one after another, in order, even when a scanner fires them quickly.
    busy = busy.then(async () => {
      const response = await fetch(form.action || location.href, {
        method: "POST", body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
      });
      if (response.status >= 500) throw new Error(String(response.status));
      const tpl = document.createElement("template");
      tpl.innerHTML = await response.text();
      const box = tpl.content.getElementById("table-scan-box");
      if (!box) throw new Error("no answer");
      region.replaceChildren(box);
      const list = tpl.content.getElementById("tc-meetings");  // the table's meetings as they stand now
      if (list) document.getElementById("tc-meetings").replaceWith(list);
    }).catch(() => showError(root.dataset.networkError || "Network error"));
    return busy;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value;
    input.value = "";
    submitCode(code).finally(() => input.focus());
  });

  if (window.KetnoiQrCamera) {
    window.KetnoiQrCamera.attach({
      button: document.getElementById("camera-toggle"),
      video: document.getElementById("camera-video"),
      status: document.getElementById("camera-status"),
      onCode: submitCode,
      errorText: root.dataset.cameraError,
    });
  }
})();

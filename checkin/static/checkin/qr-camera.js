// Phone camera QR reading (jsQR, served locally), shared by the check-in desk and the B2B meeting tables:
// a toggle button starts and stops the rear camera; each code read is handed to onCode (the same code again
// only after 3 seconds, so one badge held up is not sent many times).
(() => {
  "use strict";
  function attach({ button, video, status, onCode, errorText }) {
    const canvas = document.createElement("canvas");
    let stream = null;
    let lastCode = "";
    let lastAt = 0;

    function stop() {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      video.hidden = true;
      button.textContent = button.dataset.start;
      button.setAttribute("aria-pressed", "false");
    }

    function tick() {
      if (!stream) return;
      if (video.readyState === video.HAVE_ENOUGH_DATA && window.jsQR) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        const now = Date.now();
        if (found && found.data && (found.data !== lastCode || now - lastAt > 3000)) {
          lastCode = found.data;
          lastAt = now;
          onCode(found.data);
        }
      }
      requestAnimationFrame(tick);
    }

    button.addEventListener("click", async () => {
      if (stream) { stop(); return; }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        button.textContent = button.dataset.stop;
        button.setAttribute("aria-pressed", "true");
        status.textContent = "";
        requestAnimationFrame(tick);
      } catch (err) {
        stop();
        status.textContent = errorText || String(err);
      }
    });
    return { stop };
  }

  window.KetnoiQrCamera = { attach };
})();

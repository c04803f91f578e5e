// Site-wide behaviour. Kept out of the templates so a strict Content-Security-Policy holds.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submit marked forms (e.g. filters) when a control changes; they still work with a button.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", () => form.requestSubmit());
  });
});

// HTMX does not swap error responses, so a refused request (429 rate limit, 503 database restarting, offline)
// would otherwise look like a button that does nothing. Say what happened in the page's live region
// (#request-status in base.html, which carries the translated texts), and clear it once requests succeed again.
(() => {
  const region = () => document.getElementById("request-status");

  function show(text) {
    const box = region();
    if (!box || !text) return;
    const current = box.querySelector("[data-text]");
    if (current && current.textContent === text) return; // a poll failing again: do not announce twice
    box.replaceChildren();
    const message = document.createElement("p");
    message.className = "message message-error";
    const label = document.createElement("strong");
    label.textContent = box.dataset.label || "";
    const body = document.createElement("span");
    body.dataset.text = "";
    body.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "secondary outline request-status-close";
    close.textContent = box.dataset.close || "×";
    close.addEventListener("click", () => box.replaceChildren());
    message.append(label, " ", body, " ", close);
    box.append(message);
  }

  function serverText(xhr) {
    // The rate limiter answers HTMX with a short translated fragment that says how long to wait.
    try {
      const doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      const node = doc.querySelector(".rate-limited");
      return node ? node.textContent.trim() : "";
    } catch (_error) {
      return "";
    }
  }

  document.addEventListener("htmx:responseError", (event) => {
    const box = region();
    if (!box) return;
    const xhr = event.detail.xhr;
    if (xhr.status === 429) {
      show(serverText(xhr) || box.dataset.msg429);
    } else if (xhr.status === 503) {
      show(box.dataset.msg503);
    } else {
      show(box.dataset.msgError);
    }
  });

  document.addEventListener("htmx:sendError", () => {
    const box = region();
    if (box) show(box.dataset.msgOffline);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const box = region();
    if (box && event.detail.successful && box.childElementCount) box.replaceChildren();
  });
})();

// Logging out clears this browser's copy of the site's data (the server sends Clear-Site-Data), which includes
// scans an offline check-in desk has not uploaded yet. The desk page asks itself (desk-offline.js, which first
// tries to upload); from any other page, ask here when a desk left a count of unsent scans.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-logout]");
  if (!form || document.getElementById("desk")) return;
  let unsent = {};
  try {
    unsent = JSON.parse(localStorage.getItem("ketnoi.desk.unsent") || "{}");
  } catch (_error) {
    return;
  }
  const total = Object.values(unsent).reduce((sum, n) => sum + (Number(n) || 0), 0);
  if (total > 0 && !window.confirm(form.dataset.unsent)) event.preventDefault();
});

// The event menu (templates/base.html). On a phone its links sit behind one "Menu" button; opening it also opens
// the section of the current page. On a wider screen an organizer's sections are dropdowns: Escape closes the
// open one (and the phone menu), and a section closes when keyboard focus leaves it.
(() => {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-menu-toggle]");
    if (!button) return;
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    const menu = document.getElementById(button.getAttribute("aria-controls"));
    const current = open && menu ? menu.querySelector(".current-section") : null;
    if (current) current.closest("details").open = true;
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    const section = event.target.closest(".event-nav details[open]");
    if (section) {
      section.open = false;
      section.querySelector("summary").focus();
      return;
    }
    const nav = event.target.closest(".event-nav");
    const button = nav ? nav.querySelector("[data-menu-toggle][aria-expanded='true']") : null;
    if (button && button.offsetParent !== null) {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });

  // A section's list opens under its title; near the right edge of the window it opens leftwards instead.
  document.addEventListener("toggle", (event) => {
    const section = event.target;
    if (!(section instanceof Element) || !section.matches(".event-nav details.dropdown") || !section.open) return;
    const list = section.querySelector("summary + ul");
    if (!list) return;
    list.classList.remove("align-end");
    if (list.getBoundingClientRect().right > document.documentElement.clientWidth) list.classList.add("align-end");
  }, true);

  document.addEventListener("focusout", (event) => {
    const section = event.target instanceof Element ? event.target.closest(".event-nav details[open]") : null;
    if (section && event.relatedTarget instanceof Node && !section.contains(event.relatedTarget)) {
      section.open = false;
    }
  });
})();

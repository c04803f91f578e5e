// Live agenda: follow ws/e/<slug>/agenda/ and refetch the rendered fragment when a newer
// version is published (or after a reconnect reveals a gap). Without JS the pages still work.
(function () {
  "use strict";

  function LiveAgenda(container) {
    this.el = container;
    this.version = parseInt(container.dataset.version || "0", 10);
    this.fragmentUrl = container.dataset.fragmentUrl;
    this.isControl = container.hasAttribute("data-control");
    this.status = document.querySelector("[data-live-status]");
    this.attempt = 0;
    this.fetching = null;
    this.deferred = false;
    this.connect();
    var refresh = parseInt(container.dataset.refresh || "60", 10);
    // Now/next moves with the clock even when nothing is published.
    if (!this.isControl) {
      setInterval(this.refetch.bind(this), refresh * 1000);
    }
    // The organizer's own HTMX actions return the panel of the version they published:
    // remember it, so the echo of that release does not replace the panel (and its "Done" message).
    container.addEventListener("htmx:afterSwap", function () {
      var panel = container.querySelector("[data-version]");
      var v = panel ? parseInt(panel.dataset.version || "0", 10) : 0;
      if (v > this.version) { this.version = v; container.dataset.version = String(v); }
    }.bind(this));
    container.addEventListener("focusout", function () {
      if (this.deferred) { this.deferred = false; this.refetch(); }
    }.bind(this));
  }

  LiveAgenda.prototype.say = function (text) {
    if (this.status && text) { this.status.textContent = text; }
  };

  // The socket, its heartbeat and the "Reconnecting…" line: static/js/live.js. A version above the one shown (a
  // release missed while away, or lost in a Redis restart) refetches the fragment.
  LiveAgenda.prototype.connect = function () {
    var self = this;
    this.live = window.KetNoiLive.follow({
      path: this.el.dataset.wsPath,
      status: this.status,
      version: this.version,
      behind: function (version) { return version > self.version; },
      resync: function () { return self.refetch(); },
      onLive: function (on) { self.el.dataset.live = on ? "open" : "closed"; },
      onMessage: function (msg) {
        if (msg.type === "published") {
          if (msg.version > self.version) { self.refetch(); }
        } else if (msg.type === "draft" && self.isControl) {
          self.draftChanged = true;
          self.refetch();
        }
      },
    });
  };

  LiveAgenda.prototype.refetch = function () {
    var active = document.activeElement;
    if (this.isControl && active && this.el.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) {
      this.deferred = true;  // never replace a form the organizer is filling in
      return;
    }
    if (this.fetching) { this.again = true; return; }
    var self = this;
    this.fetching = fetch(this.fragmentUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        var version = parseInt(response.headers.get("X-Agenda-Version") || "0", 10);
        return response.text().then(function (html) {
          if (version < self.version) { return; }
          if (self.isControl && version === self.version && !self.draftChanged) { return; }
          self.draftChanged = false;
          var changed = version > self.version;
          self.el.innerHTML = html;
          self.version = version;
          self.el.dataset.version = String(version);
          if (window.htmx) { window.htmx.process(self.el); }
          if (changed && self.status) { self.say(self.status.dataset.textUpdated + " " + version + "."); }
        });
      })
      .catch(function () { /* the next message or the periodic refresh retries */ })
      .finally(function () {
        self.fetching = null;
        if (self.again) { self.again = false; self.refetch(); }
      });
  };

  function tickClocks() {
    document.querySelectorAll("[data-clock]").forEach(function (el) {
      var now = new Date();
      el.textContent = now.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-agenda-live]").forEach(function (el) { el.liveAgenda = new LiveAgenda(el); });
    if (document.querySelector("[data-clock]")) { tickClocks(); setInterval(tickClocks, 15000); }
  });
})();

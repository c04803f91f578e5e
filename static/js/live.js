// Live pages (agenda, floor plan, check-in dashboard, agreement counter, table board): one way to follow an event
// websocket (eventsite/consumers.py) that heals itself.
//
// KetNoiLive.follow({path, status, onMessage, resync, behind, onLive}) opens ws(s)://host/path and
//  - shows the shared status line (eventsite/_live_status.html, role=status): "live", "Reconnecting…" while the
//    socket is closed or its heartbeat is late, "stopped" when the server closed it for good (no longer allowed);
//  - reads the version the server sends on connect ("state") and in every heartbeat ("heartbeat"), and calls
//    resync() (refetch what the page shows) when the page is behind: behind(version) decides (default: the version
//    differs from the last one seen), so a missed message never leaves the page stale silently;
//  - reconnects with exponential backoff and jitter (0.5 s … 8 s), at once when the tab comes back or the network
//    returns; a heartbeat later than three beats (at least 15 s) counts as a dead socket and opens a new one;
//  - hands every other message to onMessage(msg).
(function () {
  "use strict";

  var SESSION_ENDED = 4401;
  var STOPPED = [4403, 4404];
  var MAX_DELAY = 8000;

  function Follower(options) {
    this.options = options;
    this.status = options.status || null;
    this.known = options.version;
    this.every = 5;
    this.attempt = 0;
    this.socket = null;
    this.lastBeat = 0;
    this.timer = null;
    this.stopped = false;
    this.connect();
    setInterval(this.watch.bind(this), 1000);
    var now = this.reconnectNow.bind(this);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { now(); } });
    window.addEventListener("online", now);
  }

  Follower.prototype.show = function (state) {
    if (state === this.state) { return; }  // a page's own message (e.g. "Updated to version 4.") stays
    this.state = state;
    if (this.options.onLive) { this.options.onLive(state === "live"); }
    var el = this.status;
    if (!el) { return; }
    el.dataset.state = state;
    var text = { live: el.dataset.textLive, reconnecting: el.dataset.textReconnecting,
                 stopped: el.dataset.textStopped }[state];
    if (text) { el.textContent = text; }
  };

  Follower.prototype.connect = function () {
    if (this.stopped) { return; }
    clearTimeout(this.timer);
    this.timer = null;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + this.options.path);
    } catch (e) {
      this.retry();
      return;
    }
    var self = this;
    this.socket = socket;
    this.lastBeat = Date.now();
    socket.onmessage = function (event) {
      if (self.socket !== socket) { return; }
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (msg.type === "state" || msg.type === "heartbeat") {
        self.lastBeat = Date.now();
        self.attempt = 0;
        if (typeof msg.every === "number" && msg.every > 0) { self.every = msg.every; }
        self.show("live");
        self.version(msg.version);
        return;
      }
      if (self.options.onMessage) { self.options.onMessage(msg); }
    };
    socket.onclose = function (event) {
      if (self.socket !== socket) { return; }  // a socket we gave up on already
      self.socket = null;
      if (STOPPED.indexOf(event.code) >= 0) {
        self.stopped = true;
        self.show("stopped");
        return;
      }
      self.show("reconnecting");
      if (event.code === SESSION_ENDED) { self.attempt = 0; }
      self.retry();
    };
  };

  Follower.prototype.version = function (version) {
    var behind = this.options.behind ? this.options.behind(version, this.known)
                                     : this.known === undefined || version !== this.known;
    this.known = version;
    if (behind && this.options.resync) {
      var self = this;
      var done = this.options.resync(version);
      // A resync that failed (the server is still coming back) is tried again at the next heartbeat.
      if (done && done.then) { done.then(null, function () { self.known = undefined; }); }
    }
  };

  Follower.prototype.retry = function () {
    if (this.stopped || this.timer) { return; }
    var delay = Math.min(MAX_DELAY, 500 * Math.pow(2, this.attempt)) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.timer = setTimeout(this.connect.bind(this), delay);
  };

  Follower.prototype.drop = function () {
    var socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try { socket.close(); } catch (e) { /* already closing */ }
    }
  };

  Follower.prototype.watch = function () {
    if (this.stopped || !this.socket) { return; }
    var late = Math.max(15000, this.every * 3000);
    if (Date.now() - this.lastBeat > late) {
      // No heartbeat: the server, the proxy or the network is gone. Say so and open a new socket.
      this.drop();
      this.show("reconnecting");
      this.retry();
    }
  };

  Follower.prototype.reconnectNow = function () {
    if (this.stopped || this.socket) { return; }
    this.attempt = 0;
    this.connect();
  };

  // Replace the elements matching `selector` in `root` by the same elements of the page at `url` (fetched fresh):
  // the resync of pages that have no fragment endpoint of their own.
  function refreshFrom(url, root, selector) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelectorAll(selector);
        root.querySelectorAll(selector).forEach(function (el, i) {
          if (fresh[i] && el.textContent !== fresh[i].textContent) { el.textContent = fresh[i].textContent; }
        });
      });
  }

  window.KetNoiLive = {
    follow: function (options) { return new Follower(options); },
    refreshFrom: refreshFrom,
  };
})();

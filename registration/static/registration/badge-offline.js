// Badge codes checked in the browser, shared by the offline check-in desk (desk-offline.js) and the booth
// scanner (leads/scan.js): the token layout of registration/services/tokens.py, Ed25519 signature checks with
// WebCrypto against the event's public key, and the small IndexedDB helpers both queues use. Nothing here
// knows who a badge belongs to: that stays on the server.
(() => {
  "use strict";
  const req2p = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const txDone = (tx) => new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });

  const b64url = (text) => {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  };

  function importKey(k) {
    return crypto.subtle.importKey("raw", b64url(k), { name: "Ed25519" }, false, ["verify"]);
  }

  // Ed25519 in WebCrypto: Chromium 113+ (behind no flag since 137), Firefox 129+, Safari 17+. Tried once with
  // RFC 8032's first test key.
  async function cryptoSupported() {
    if (!(window.crypto && crypto.subtle)) return false;
    try {
      await importKey("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
      return true;
    } catch (err) {
      return false;
    }
  }

  const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  function b32decode(code) {
    const text = String(code || "").replace(/[\s-]+/g, "").toUpperCase();
    if (!text || text.length > 200 || !/^[A-Z2-7]+$/.test(text) || [1, 3, 6].includes(text.length % 8)) return null;
    const out = [];
    let bits = 0;
    let value = 0;
    for (const ch of text) {
      value = ((value << 5) | B32.indexOf(ch)) & 0x1fff;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out.push((value >> bits) & 0xff);
      }
    }
    if (value & ((1 << bits) - 1)) return null; // stray bits: not the canonical encoding
    return new Uint8Array(out);
  }

  function readVarint(raw, pos) {
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 5; i += 1) {
      if (pos + i >= raw.length) return null;
      const byte = raw[pos + i];
      value += (byte & 0x7f) * mul;
      if (!(byte & 0x80)) return i && byte === 0 ? null : [value, pos + i + 1];
      mul *= 128;
    }
    return null;
  }

  // {badge, event, counter, message, signature}, or null when the code is not a badge token at all.
  function parse(code) {
    const raw = b32decode(code);
    if (!raw || raw.length < 1 + 3 + 64 || raw[0] !== 1) return null;
    const a = readVarint(raw, 1);
    const b = a && readVarint(raw, a[1]);
    const c = b && readVarint(raw, b[1]);
    if (!c || raw.length - c[1] !== 64 || !a[0] || !b[0] || !c[0]) return null;
    return { badge: a[0], event: b[0], counter: c[0], message: raw.slice(0, c[1]), signature: raw.slice(c[1]) };
  }

  // "malformed", "wrong_event", "forged" or "ok": the checks a phone can make with the event's key alone.
  async function check(claims, key, eventId) {
    if (!claims) return "malformed";
    if (claims.event !== eventId) return "wrong_event";
    const genuine = await crypto.subtle.verify({ name: "Ed25519" }, key, claims.signature, claims.message);
    return genuine ? "ok" : "forged";
  }

  window.KetnoiBadgeOffline = { req2p, txDone, b64url, importKey, cryptoSupported, parse, check };
})();

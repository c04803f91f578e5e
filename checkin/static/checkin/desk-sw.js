// Service worker of the check-in desk (served by the app under /e/<slug>/desk/sw.js, which prefixes
// self.KETNOI_DESK = {release, event, assets, page}); the booth scanner (leads) serves the same worker under
// /e/<slug>/leads/scan/sw.js with its own page, assets and cache prefix. It keeps the desk page and every asset it loads in a
// cache named after the release (a hash of those files): a new release installs a new cache and deletes the
// old one. Only GET requests for the desk page and its assets are answered here; scans, sync and upload
// always go to the network (the page itself decides what to do offline).
/* global self, caches, fetch, Response */
"use strict";
const CONFIG = self.KETNOI_DESK;
const PREFIX = CONFIG.prefix || `ketnoi-desk-${CONFIG.event}-`;
const CACHE = PREFIX + CONFIG.release;
const ASSETS = new Set(CONFIG.assets);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(CONFIG.assets.concat([CONFIG.page])))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Keep the latest signed-in copy of the page (not a login redirect or an error page). A redirect to the
    // login page or a refusal (session expired, desk role removed) drops the copy kept so far: offline, the
    // desk must not open as the previous user.
    if (response.ok && !response.redirected) await cache.put(CONFIG.page, response.clone());
    else if (response.redirected || response.status === 401 || response.status === 403) await cache.delete(CONFIG.page);
    return response;
  } catch (err) {
    const cached = await cache.match(CONFIG.page);
    if (cached) return cached;
    throw err;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CONFIG.page) {
    event.respondWith(page(request));
  } else if (ASSETS.has(url.pathname)) {
    event.respondWith(asset(request));
  }
});

// The page asks us to forget everything (logout, another event).
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear") {
    event.waitUntil(caches.keys().then((keys) => Promise.all(
      keys.filter((k) => k.startsWith(PREFIX)).map((k) => caches.delete(k)),
    )));
  }
});

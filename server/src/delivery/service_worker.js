/* Trailmap's service worker: the app opens with no network.
 *
 * Served by the server at /sw.js with VERSION set to a hash of this build's assets (the wasm,
 * its JS glue, the CSS and the public files), so every build gets a cache of its own and a
 * changed build installs a new worker; the page then shows "new version available — reload".
 *
 * Strategy: network first, the cache as the fallback — online you always get the current
 * server's page and assets, offline you get the last copy of every page and roadmap you opened.
 * Never cached: anything but GET, the account and sync API (personal data), and the embed
 * route (an embed leaves caching to the browser).
 */
const VERSION = "__VERSION__";
const CACHE = "trailmap-" + VERSION;
const PRECACHE = __PRECACHE__;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith("trailmap-") && name !== CACHE).map((name) => caches.delete(name))
      );
      await self.clients.claim();
      // The pages open right now loaded before this worker controlled them: keep a copy.
      const cache = await caches.open(CACHE);
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      await Promise.all(
        windows
          .map((client) => new URL(client.url))
          .filter((url) => url.origin === self.location.origin && cacheable(url))
          .map((url) => cache.add(url.href).catch(() => undefined))
      );
    })()
  );
});

function cacheable(url) {
  const path = url.pathname;
  return !(
    path.startsWith("/api/auth/") ||
    path.startsWith("/api/sync/") ||
    path.startsWith("/embed/") ||
    path === "/embed.js" ||
    path === "/sw.js"
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !cacheable(url)) {
    return;
  }
  event.respondWith(networkFirst(request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      cache.put(request, response.clone());
    }
    return response;
  } catch (offline) {
    const cached =
      (await cache.match(request)) ||
      (request.mode === "navigate" ? await cache.match(request, { ignoreSearch: true }) : undefined);
    if (cached) {
      return cached;
    }
    if (request.mode === "navigate") {
      return new Response(
        "<!DOCTYPE html><meta charset=utf-8><title>Offline — Trailmap</title>" +
          "<h1>You are offline</h1><p>This page has not been opened on this device before. " +
          "Roadmaps you have opened are available offline.</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
      );
    }
    throw offline;
  }
}

/* Trailmap's service worker: the app opens with no network.
 *
 * Served by the server at /sw.js with VERSION set to a hash of this build's assets (the wasm,
 * its JS glue, the CSS and the public files), so every build gets a cache of its own and a
 * changed build installs a new worker; the page then shows "new version available — reload".
 *
 * Strategy: network first, the cache as the fallback — online you always get the current
 * server's pages, offline you get the last copy of every page and roadmap you opened. The
 * build's hashed assets (/pkg/name.{hash}.js|wasm|css) are cache first: a name is one content.
 * Never cached: anything but GET, the account and sync API (personal data), and the embed
 * route (an embed leaves caching to the browser).
 *
 * Topics: a map page carries its roadmap's outline, not its topics' text (fetched as each
 * topic opens). So once a roadmap page has been opened online, the worker fetches every topic
 * of it in the background in one request (GET /api/roadmaps/{slug}/topics) and keeps that
 * answer as one entry, with the words its search box loads; offline, a topic the page asks
 * for (/api/roadmaps/{slug}/topics/{id}?v={version}) and never opened online is answered from
 * it: an offline reload opens any topic of it, and searches its text. One entry, not one per
 * topic: 2,000 cache writes right after a large roadmap opened took frames from a learner's
 * first pan (bench/browser.mjs gesture, 2,000 nodes, 4x CPU: 49-128 frames of 219 with the
 * worker, 160-181 without).
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
      const urls = windows
        .map((client) => new URL(client.url))
        .filter((url) => url.origin === self.location.origin && cacheable(url));
      await Promise.all(urls.map((url) => cache.add(url.href).catch(() => undefined)));
      await Promise.all(urls.map((url) => cacheTopics(url)));
    })()
  );
});

const ROADMAP_PAGE = /^\/roadmaps\/([a-z0-9-]+)$/;
const TOPIC = /^\/api\/roadmaps\/([a-z0-9-]+)\/topics\/([^/]+)$/;

/* Where every topic of roadmap `slug` is kept (the URL it was fetched from). */
function topicsKey(slug) {
  return `/api/roadmaps/${slug}/topics`;
}

/* Every topic of the roadmap whose page is at `url` (if it is one), kept as one entry, with the
 * search words under the URL the page fetches them from. Skipped when the stored copy has the
 * server's ETag (a revalidation, no parsing). */
async function cacheTopics(url) {
  const page = ROADMAP_PAGE.exec(url.pathname);
  if (!page) {
    return;
  }
  const key = topicsKey(page[1]);
  try {
    const response = await fetch(key);
    if (!response.ok) {
      return;
    }
    const cache = await caches.open(CACHE);
    const stored = await cache.match(key);
    const tag = response.headers.get("ETag");
    if (stored && tag && stored.headers.get("ETag") === tag) {
      return;
    }
    const { version } = await response.clone().json();
    await cache.add(`/api/roadmaps/${page[1]}/search-words?v=${version}`).catch(() => undefined);
    // Last: a stored copy says the search words are there too.
    await cache.put(key, response);
  } catch (offline) {
    // Next time the page is opened online.
  }
}

/* Offline: the topic at `url` out of its roadmap's stored topics, if they hold it. The
 * topics' version may be newer than the page's (the page, reloaded online, gets it too). */
async function storedTopic(cache, url) {
  const match = TOPIC.exec(url.pathname);
  if (!match) {
    return undefined;
  }
  const stored = await cache.match(topicsKey(match[1]));
  if (!stored) {
    return undefined;
  }
  const id = decodeURIComponent(match[2]);
  const topic = (await stored.json()).topics.find((topic) => topic.id === id);
  return topic && new Response(JSON.stringify(topic), { headers: { "Content-Type": "application/json" } });
}

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
  event.respondWith(HASHED_ASSET.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
  if (request.mode === "navigate") {
    event.waitUntil(cacheTopics(url));
  }
});

/* The build's own assets: their names carry their content's hash, so a stored copy is the
 * right one for good. Answered from the cache, with no round trip through the network stack
 * and without writing the same 1.9 MB wasm into the cache again on every visit, as
 * network-first did. */
const HASHED_ASSET = /^\/pkg\/[^/]+\.[0-9a-f]{16}\.(js|wasm|css)$/;

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    cache.put(request, response.clone());
  }
  return response;
}

/* The key a request is stored under. The app's fetch (gloo) spells a URL that has a query
 * with a trailing "&" (`?v=…&`): one key for both spellings. */
function cacheKey(request) {
  const url = new URL(request.url);
  if (request.mode !== "navigate" && url.search.endsWith("&")) {
    url.search = url.search.slice(0, -1);
    return url.href;
  }
  return request;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      cache.put(cacheKey(request), response.clone());
    }
    return response;
  } catch (offline) {
    // Vary is ignored: everything here is this browser's own copy. (A map page varies on the
    // form factor, `Sec-CH-UA-Mobile` and `User-Agent`, and a copy the worker stored itself
    // carries neither header, so it would never match the page's own request.)
    const options = { ignoreVary: true };
    const cached =
      (await cache.match(cacheKey(request), options)) ||
      (request.mode === "navigate" ? await cache.match(request, { ...options, ignoreSearch: true }) : undefined);
    if (cached) {
      return cached;
    }
    const topic = await storedTopic(cache, new URL(request.url));
    if (topic) {
      return topic;
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

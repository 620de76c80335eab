import { expect, Page, test } from "@playwright/test";

// The offline app shell: a roadmap opened once loads, hydrates and takes marks with no
// network (service worker cache); back online, a signed-in learner's marks sync.

const PASSWORD = "correct horse battery staple";

async function openAndCache(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The worker keeps a copy of the page it found open, and of the app's assets (under the
  // hashed names this build's pages load).
  const assets = await page.evaluate(() =>
    ['link[rel="modulepreload"]', 'link[rel="preload"][as="fetch"]', 'link[rel="stylesheet"]#leptos'].map(
      (selector) => new URL((document.querySelector(selector) as HTMLLinkElement).href).pathname
    )
  );
  for (const asset of assets) {
    expect(asset).toMatch(/^\/pkg\/trailmap\.[0-9a-f]{16}(\.js|\.wasm|\.css)$/);
  }
  for (const url of [path, ...assets]) {
    await expect
      .poll(() => page.evaluate(async (u) => Boolean(await caches.match(u)), url), { timeout: 15_000 })
      .toBe(true);
  }
}

test("a roadmap opened before loads, hydrates and takes marks with no network", async ({ page, context }) => {
  await openAndCache(page, "/roadmaps/backend");

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.getByRole("treeitem", { name: /Web fundamentals/ })).toBeVisible();
  await page.locator("#node-what-is-backend").focus();
  await page.keyboard.press("d");
  await expect(page.locator("#node-what-is-backend")).toHaveClass(/status-done/);

  // A page never opened gets a plain offline notice, not a browser error.
  const response = await page.goto("/roadmaps/nowhere-opened-yet");
  expect(response?.status()).toBe(503);
  await expect(page.getByRole("heading", { name: "You are offline" })).toBeVisible();
  await context.setOffline(false);
});

test("an app opened offline renders a note with the renderer chunk it never fetched online", async ({
  page,
  context,
}) => {
  await openAndCache(page, "/roadmaps/backend?node=client-server");
  const fetchedChunks = await page.evaluate(() =>
    performance.getEntriesByType("resource").filter((entry) => /\/pkg\/(?!trailmap\.).*\.wasm$/.test(entry.name))
  );
  expect(fetchedChunks).toEqual([]);

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const panel = page.getByRole("complementary", { name: "The client-server model" });
  await panel.getByLabel("Write a private note (Markdown)").fill("Written *offline*");
  await panel.getByRole("button", { name: "Save note" }).click();
  await expect(panel.getByRole("region", { name: "Your saved note" }).locator("em")).toHaveText("offline");
  await context.setOffline(false);
});

test("marks made in an app opened offline sync once back online", async ({ page, context, browser }) => {
  const username = `off${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const csrf = await (await page.request.get("/api/auth/csrf")).json();
  const signup = await page.request.post("/api/auth/signup", {
    headers: { "X-CSRF-Token": csrf.token },
    data: { username, password: PASSWORD },
  });
  expect(signup.status()).toBe(201);
  await openAndCache(page, "/roadmaps/backend");
  await expect(page.locator(".sync-status")).toHaveAttribute("data-state", "synced");

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.locator("#node-dns").focus();
  await page.keyboard.press("l");
  await expect(page.locator("#node-dns")).toHaveClass(/status-in_progress/);

  // The `online` event can come before requests get through: the first question about the
  // account after it is lost, and the app asks again.
  let lost = 0;
  await page.route(
    "**/api/auth/session",
    (route) => {
      lost += 1;
      return route.abort("internetdisconnected");
    },
    { times: 1 }
  );
  await context.setOffline(false);
  await expect(page.locator(".sync-status")).toHaveAttribute("data-state", "synced");
  expect(lost).toBe(1);
  const other = await browser.newContext();
  const check = await other.newPage();
  const token = (await (await check.request.get("/api/auth/csrf")).json()).token;
  await check.request.post("/api/auth/signin", {
    headers: { "X-CSRF-Token": token },
    data: { username, password: PASSWORD },
  });
  const pulled = await (await check.request.get("/api/sync/backend/pull?since=0")).json();
  expect(pulled.entries.find((e: any) => e.topic === "dns")?.status).toBe("in_progress");
  await other.close();
});

test("a returning visit takes the build's assets from the worker's cache and the page from the network", async ({
  page,
  context,
}) => {
  await openAndCache(page, "/roadmaps/backend");
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  // Where the worker found each answer: "cache-storage", "http-cache" or "network".
  const sources = new Map<string, string>();
  cdp.on("Network.responseReceived", (event) => {
    const { response } = event;
    sources.set(
      new URL(response.url).pathname,
      response.fromServiceWorker ? (response.serviceWorkerResponseSource ?? "unknown") : "not the worker"
    );
  });
  await page.reload();
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const assets = await page.evaluate(() =>
    ['link[rel="modulepreload"]', 'link[rel="preload"][as="fetch"]', 'link[rel="stylesheet"]#leptos'].map(
      (selector) => new URL((document.querySelector(selector) as HTMLLinkElement).href).pathname
    )
  );
  // The hashed assets never change under their name: straight from the cache, not fetched and
  // stored again on every visit.
  for (const asset of assets) {
    await expect.poll(() => sources.get(asset)).toBe("cache-storage");
  }
  // The page itself is network-first: online, the current server's page.
  expect(["network", "http-cache"]).toContain(sources.get("/roadmaps/backend"));
});

test("the offline copy is installed once the learner's hands are still, not while they drag", async ({ page }) => {
  // The page's time is the test's to move, so a busy machine cannot change the outcome.
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 1_000);
  await page.addInitScript(() => {
    const register = ServiceWorkerContainer.prototype.register;
    ServiceWorkerContainer.prototype.register = function (...args: any[]) {
      (window as any).__registered = true;
      return register.apply(this, args as any);
    };
  });
  const registered = () => page.evaluate(() => (window as any).__registered === true);
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  // The learner drags the map for five seconds from the load on, a move every 800 ms: a first
  // visit's install (every asset, every topic) would compete with the drag for a slow CPU.
  await page.mouse.move(640, 420);
  await page.mouse.down();
  for (let i = 1; i <= 6; i++) {
    await page.clock.runFor(800);
    expect(await registered(), `registered ${i * 800} ms into the drag`).toBe(false);
    await page.mouse.move(640 + i * 10, 420 + i * 5);
  }
  await page.mouse.up();
  // Still for a second: the worker is registered, and installs.
  await page.clock.runFor(900);
  expect(await registered()).toBe(false);
  await page.clock.runFor(200);
  expect(await registered()).toBe(true);
  await page.clock.resume();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
});

import { APIRequestContext, Browser, expect, Page, test } from "@playwright/test";
import { newUsername, PASSWORD, signUpThroughApi } from "./support";

// Accounts and sync: guest progress merged at first sign-in, offline edits synced on
// reconnect, and two signed-in browsers (separate contexts, so separate storage and
// cookies) converging after concurrent offline edits.

async function signInThroughApi(request: APIRequestContext, username: string) {
  const csrf = await (await request.get("/api/auth/csrf")).json();
  const response = await request.post("/api/auth/signin", {
    headers: { "X-CSRF-Token": csrf.token },
    data: { username, password: PASSWORD },
  });
  expect(response.status()).toBe(200);
}

async function openMap(page: Page, path = "/roadmaps/backend") {
  await page.goto(path);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.locator(".progress-text")).toBeVisible();
}

const syncState = (page: Page) => page.locator(".sync-status");

async function mark(page: Page, id: string, key: "d" | "l" | "s" | "r") {
  await page.locator(`#node-${id}`).focus();
  await page.keyboard.press(key);
}

async function signedInPage(browser: Browser, username: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughApi(page.request, username);
  await openMap(page);
  await expect(syncState(page)).toHaveAttribute("data-state", "synced");
  return { context, page };
}

test("signing up from the account page merges the guest's progress into the account", async ({ page, browser }) => {
  await openMap(page);
  await expect(syncState(page)).toHaveAttribute("data-state", "guest");
  await mark(page, "what-is-backend", "d");
  await expect(page.locator("#node-what-is-backend")).toHaveClass(/status-done/);

  const username = newUsername();
  await page.goto("/account");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const form = page.getByRole("form", { name: "Create an account" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill(PASSWORD);
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  await expect(page.locator(".account-link")).toHaveText(username);

  await openMap(page);
  await expect(syncState(page)).toHaveAttribute("data-state", "synced");
  await expect(page.locator("#node-what-is-backend")).toHaveClass(/status-done/);

  // Another browser signed in as the same learner gets the guest's mark from the server.
  const other = await signedInPage(browser, username);
  await expect(other.page.locator("#node-what-is-backend")).toHaveClass(/status-done/);
  await other.context.close();
});

test("the sync code is a chunk only a signed-in learner's page fetches; without it, marks stay in the browser", async ({
  browser,
}) => {
  const syncChunk = /^\/pkg\/split_sync\.[0-9a-f]{16}\.wasm$/;
  const chunksOf = (page: Page) => {
    const fetched: string[] = [];
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (syncChunk.test(path)) fetched.push(path);
    });
    return fetched;
  };

  // A guest marks a topic: no sync, no sync code.
  const guest = await browser.newContext();
  const guestPage = await guest.newPage();
  const guestFetched = chunksOf(guestPage);
  await openMap(guestPage);
  await mark(guestPage, "what-is-backend", "d");
  await expect(guestPage.locator("#node-what-is-backend")).toHaveClass(/status-done/);
  await expect(syncState(guestPage)).toHaveAttribute("data-state", "guest");
  expect(guestFetched).toEqual([]);
  await guest.close();

  // A signed-in learner's page fetches it once and syncs.
  const username = newUsername();
  const setup = await browser.newContext();
  await signUpThroughApi(setup.request, username);
  await setup.close();
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = chunksOf(page);
  await signInThroughApi(page.request, username);
  await openMap(page);
  await expect(syncState(page)).toHaveAttribute("data-state", "synced");
  await mark(page, "dns", "d");
  await expect(syncState(page)).toHaveAttribute("data-state", "synced");
  expect(fetched).toHaveLength(1);
  await context.close();

  // When the chunk cannot be fetched the page says so and keeps the marks in the browser.
  // No worker: once it controlled the page it would answer the chunk from its precache.
  const blocked = await browser.newContext({ serviceWorkers: "block" });
  await blocked.route(/\/pkg\/split_sync\.[0-9a-f]{16}\.wasm$/, (route) => route.abort("internetdisconnected"));
  const blockedPage = await blocked.newPage();
  const errors: string[] = [];
  blockedPage.on("pageerror", (error) => errors.push(error.message));
  await signInThroughApi(blockedPage.request, username);
  await openMap(blockedPage);
  await expect(syncState(blockedPage)).toHaveAttribute("data-state", "error");
  await mark(blockedPage, "client-server", "d");
  await expect(blockedPage.locator("#node-client-server")).toHaveClass(/status-done/);
  await blockedPage.reload();
  await expect(blockedPage.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(blockedPage.locator("#node-client-server")).toHaveClass(/status-done/);
  // The split loader starts the chunk's fetch before it awaits the chunks it shares code with,
  // so the browser reports the refused fetch as an unhandled rejection a moment before the
  // loader handles it; anything else (a wasm abort: "unreachable") would fail here.
  expect(errors.filter((message) => message !== "Failed to fetch")).toEqual([]);
  await blocked.close();
});

test("edits made offline are kept and sync when the browser reconnects", async ({ browser }) => {
  const username = newUsername();
  const setup = await browser.newContext();
  await signUpThroughApi(setup.request, username);
  await setup.close();

  const { context, page } = await signedInPage(browser, username);
  await context.setOffline(true);
  await expect(syncState(page)).toHaveAttribute("data-state", "offline");
  await mark(page, "client-server", "l");
  await expect(page.locator("#node-client-server")).toHaveClass(/status-in_progress/);
  await expect(syncState(page)).toHaveAttribute("data-state", "offline");

  await context.setOffline(false);
  await expect(syncState(page)).toHaveAttribute("data-state", "synced");

  const other = await signedInPage(browser, username);
  await expect(other.page.locator("#node-client-server")).toHaveClass(/status-in_progress/);
  await other.context.close();
  await context.close();
});

test("two devices editing offline converge: different topics both kept, the later edit of the same topic wins", async ({ browser }) => {
  const username = newUsername();
  const setup = await browser.newContext();
  await signUpThroughApi(setup.request, username);
  await setup.close();

  const a = await signedInPage(browser, username);
  const b = await signedInPage(browser, username);
  await a.context.setOffline(true);
  await b.context.setOffline(true);

  await mark(a.page, "dns", "d"); // only A
  await mark(b.page, "hosting", "l"); // only B
  await mark(a.page, "what-is-backend", "d"); // A first…
  await mark(b.page, "client-server", "s"); // B first…
  await a.page.waitForTimeout(50);
  await mark(a.page, "client-server", "l"); // …then A, later: A wins client-server
  await b.page.waitForTimeout(50);
  await mark(b.page, "what-is-backend", "s"); // …then B, later: B wins what-is-backend

  await a.context.setOffline(false);
  await expect(syncState(a.page)).toHaveAttribute("data-state", "synced");
  await b.context.setOffline(false);
  await expect(syncState(b.page)).toHaveAttribute("data-state", "synced");

  // A pushed before B did: a reload pulls B's edits too.
  for (const device of [a, b]) {
    await openMap(device.page);
    await expect(syncState(device.page)).toHaveAttribute("data-state", "synced");
    await expect(device.page.locator("#node-dns")).toHaveClass(/status-done/);
    await expect(device.page.locator("#node-hosting")).toHaveClass(/status-in_progress/);
    await expect(device.page.locator("#node-what-is-backend")).toHaveClass(/status-skipped/);
    await expect(device.page.locator("#node-client-server")).toHaveClass(/status-in_progress/);
  }
  await a.context.close();
  await b.context.close();
});

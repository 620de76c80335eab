import { expect, FrameLocator, Page, test } from "@playwright/test";
import http from "node:http";
import { readFileSync } from "node:fs";
import { AddressInfo } from "node:net";
import path from "node:path";

// Embeds as real sites have them: the host page is on another *site* (http://localhost:<port>)
// than the app (BASE_URL, http://127.0.0.1:<port>), so the browser's third-party storage rules
// apply to the iframe. Run once with third-party storage blocked and once with it allowed
// (Chromium launch flags; each describe checks that storage in the frame really behaves so).
// Also: the map page with a throwing localStorage, sign-out, and the Embed dialog's snippet.

const NOTICE = "This browser doesn't let this embedded map save progress; it lasts until you leave the page.";
const PAGE_NOTICE = "This browser doesn't let Trailmap save progress; it lasts until you leave the page.";

type Host = { url: string; close: () => Promise<void> };

/** Serves `html` at / on every interface; the page is opened as http://localhost:<port>/. */
async function startHost(html: () => string): Promise<Host> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, "localhost", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A host page around `body` (the embed snippet), logging the embed's messages. */
function hostPage(body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Host page</title></head>
<body>
  <h1>A blog post about backends</h1>
  <script>
    window.received = [];
    window.addEventListener("message", (event) => {
      if (event.data && event.data.source === "trailmap") window.received.push(event.data);
    });
  </script>
  ${body}
</body>
</html>`;
}

function appOrigin(baseURL: string | undefined): string {
  const origin = new URL(baseURL ?? "http://127.0.0.1:3000").origin;
  // The host page is on localhost: the app must be on another site for this spec to mean
  // anything.
  expect(new URL(origin).hostname).not.toBe("localhost");
  return origin;
}

const received = (page: Page) => page.evaluate(() => (window as any).received as any[]);

/** Uncaught errors and Rust panics, in the page or any frame. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /panicked|RuntimeError|unreachable/.test(message.text())) {
      errors.push(`console: ${message.text()}`);
    }
  });
  return errors;
}

/** What the frame's own storage does: "ok" or the error's name. */
async function frameStorage(page: Page): Promise<string> {
  const frame = page.frames().find((f) => f.url().includes("/embed/"));
  expect(frame, "the embed's frame").toBeTruthy();
  return frame!.evaluate(() => {
    try {
      window.localStorage.setItem("trailmap.probe", "1");
      window.localStorage.removeItem("trailmap.probe");
      return "ok";
    } catch (error) {
      return (error as Error).name;
    }
  });
}

/** Ready, resize, pan, zoom, expand, panel, mark: the embed works. */
async function exerciseEmbed(page: Page, map: FrameLocator) {
  await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
  await expect.poll(async () => (await received(page)).some((m) => m.type === "ready"), { timeout: 5000 }).toBe(true);
  const ready = (await received(page)).find((m) => m.type === "ready");
  await expect
    .poll(() => page.locator("#map").evaluate((el) => (el as HTMLElement).clientHeight))
    .toBe(Math.ceil(ready.height));

  const zoom = map.locator(".zoom-level");
  await expect(zoom).toHaveText("100%");
  await map.getByRole("button", { name: "Zoom in" }).click();
  await expect(zoom).toHaveText("150%");

  const canvas = map.locator(".map-canvas");
  const before = await canvas.evaluate((el) => (el as HTMLElement).style.transform);
  const box = (await map.locator(".map-viewport").boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 - 40, { steps: 5 });
  await page.mouse.up();
  expect(await canvas.evaluate((el) => (el as HTMLElement).style.transform)).not.toBe(before);

  const methods = map.getByRole("link", { name: "HTTP methods", exact: true });
  await expect(methods).toHaveCount(0);
  await map.getByRole("button", { name: "Expand HTTP", exact: true }).click();
  await expect(methods).toBeAttached();

  await map.getByRole("link", { name: "DNS", exact: true }).click();
  await expect(map.getByRole("complementary", { name: "DNS" })).toBeVisible();

  await expect(map.locator(".embed-progress")).toContainText(/^0 of \d+ settled/);
  await map.locator("#node-what-is-backend").focus();
  await page.keyboard.press("d");
  await expect(map.locator("#node-what-is-backend")).toHaveClass(/status-done/);
  await expect(map.locator(".embed-progress")).toContainText(/^1 of \d+ settled/);
  await expect
    .poll(async () => (await received(page)).some((m) => m.type === "progress" && m.done === 1))
    .toBe(true);
}

function snippetFor(origin: string, query: string): string {
  return `<iframe id="map" src="${origin}/embed/backend?${query}" title="Backend roadmap" width="320" height="300"></iframe>
<script src="${origin}/embed.js" async></script>`;
}

test.describe("third-party storage blocked", () => {
  test.use({
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [...chromiumArgs(), "--test-third-party-cookie-phaseout"],
    },
  });

  test("the embed on another site works with progress in memory, and says so", async ({ page, baseURL }) => {
    const errors = watchErrors(page);
    const origin = appOrigin(baseURL);
    const host = await startHost(() => hostPage(snippetFor(origin, "height=420")));
    try {
      await page.goto(host.url);
      const map = page.frameLocator("#map");
      await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
      expect(await frameStorage(page)).toBe("SecurityError");

      await exerciseEmbed(page, map);
      await expect(map.getByRole("status").filter({ hasText: NOTICE })).toBeVisible();

      // In memory only: a reload of the host page starts again from nothing.
      await page.reload();
      await expect(page.frameLocator("#map").locator(".embed-progress")).toContainText(/^0 of \d+ settled/);
      expect(errors).toEqual([]);
    } finally {
      await host.close();
    }
  });
});

test.describe("third-party storage allowed", () => {
  test.use({
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [...chromiumArgs(), "--disable-features=TrackingProtection3pcd"],
    },
  });

  test("the embed on another site works and keeps marks across a reload of the host page", async ({
    page,
    baseURL,
  }) => {
    const errors = watchErrors(page);
    const origin = appOrigin(baseURL);
    const host = await startHost(() => hostPage(snippetFor(origin, "height=420")));
    try {
      await page.goto(host.url);
      const map = page.frameLocator("#map");
      await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
      expect(await frameStorage(page)).toBe("ok");

      await exerciseEmbed(page, map);
      await expect(map.getByText(NOTICE)).toHaveCount(0);

      await page.reload();
      const again = page.frameLocator("#map");
      await expect(again.locator("main[data-hydrated=true]")).toBeAttached();
      await expect(again.locator("#node-what-is-backend")).toHaveClass(/status-done/);
      await expect(again.locator(".embed-progress")).toContainText(/^1 of \d+ settled/);
      expect(errors).toEqual([]);
    } finally {
      await host.close();
    }
  });
});

test("the map page hydrates and keeps marks in memory when localStorage throws", async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.getByRole("status").filter({ hasText: PAGE_NOTICE })).toBeVisible();
  await page.locator("#node-what-is-backend").focus();
  await page.keyboard.press("d");
  await expect(page.locator("#node-what-is-backend")).toHaveClass(/status-done/);
  await expect(page.locator(".progress-text")).toContainText(/^1 of \d+ topics settled/);
  // The theme still switches (it is not remembered).
  await page.getByRole("button", { name: /^Theme:/ }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", /light|dark/);
  expect(errors).toEqual([]);
});

test("sign out updates the page and the header at once, without an error", async ({ page }) => {
  const errors = watchErrors(page);
  const username = `o${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  await page.goto("/account");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const form = page.getByRole("form", { name: "Create an account" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill("correct horse battery staple");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  await expect(page.locator(".account-link")).toHaveText(username);

  const signOut = page.waitForResponse((r) => r.url().endsWith("/api/auth/signout"));
  await page.getByRole("button", { name: "Sign out" }).click();
  expect((await signOut).status()).toBe(204);
  await expect(page.getByRole("form", { name: "Create an account" })).toBeVisible();
  await expect(page.getByText(`Signed in as ${username}`)).toHaveCount(0);
  await expect(page.locator(".account-link")).toHaveText("Sign in");
  await expect(page.getByRole("alert").filter({ hasText: /unexpected|EOF/ })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the Embed dialog's snippet, pasted into a page of another site, gives a resized, working embed", async ({
  page,
  baseURL,
}) => {
  const errors = watchErrors(page);
  const origin = appOrigin(baseURL);
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.getByRole("button", { name: "Embed" }).click();
  const dialog = page.getByRole("dialog", { name: "Embed this roadmap" });
  const snippet = await dialog.getByLabel("Snippet").inputValue();
  expect(snippet).toContain(`<script src="${origin}/embed.js" async></script>`);
  expect(snippet).toMatch(new RegExp(`^<iframe src="${origin}/embed/backend`));
  // The preview is that snippet: embed.js runs and sizes its iframe from the embed's height.
  const preview = dialog.locator(".embed-preview iframe");
  await expect(preview).toHaveAttribute("src", /^\/embed\/backend/);
  await expect.poll(() => preview.evaluate((el) => (el as HTMLElement).style.height)).toMatch(/^\d+px$/);

  const host = await startHost(() => hostPage(snippet));
  try {
    await page.goto(host.url);
    const frame = page.locator('iframe[src*="/embed/backend"]');
    const map = page.frameLocator('iframe[src*="/embed/backend"]');
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    await expect.poll(async () => (await received(page)).some((m) => m.type === "ready")).toBe(true);
    const ready = (await received(page)).find((m) => m.type === "ready");
    await expect.poll(() => frame.evaluate((el) => (el as HTMLElement).style.height)).toBe(`${Math.ceil(ready.height)}px`);
    await map.getByRole("button", { name: "Zoom in" }).click();
    await expect(map.locator(".zoom-level")).toHaveText("150%");
    expect(errors).toEqual([]);
  } finally {
    await host.close();
  }
});

function chromiumArgs(): string[] {
  // The same flags as playwright.config.ts (chromium.json), plus one for storage.
  return JSON.parse(readFileSync(path.join(__dirname, "..", "chromium.json"), "utf8")).args as string[];
}

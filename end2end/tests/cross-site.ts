import { expect, FrameLocator, Page } from "@playwright/test";
import http from "node:http";
import { readFileSync } from "node:fs";
import { AddressInfo } from "node:net";
import path from "node:path";

// Embeds as real sites have them: the host page is on another *site* (http://localhost:<port>)
// than the app (BASE_URL, http://127.0.0.1:<port>), so the browser's third-party storage rules
// apply to the iframe. Run once with third-party storage blocked and once with it allowed
// (Chromium launch flags; each describe checks that storage in the frame really behaves so).
// Also: the map page with a throwing localStorage, sign-out, and the Embed dialog's snippet.

export const NOTICE = "This browser doesn't let this embedded map save progress; it lasts until you leave the page.";
export const PAGE_NOTICE = "This browser doesn't let Trailmap save progress; it lasts until you leave the page.";

export type Host = { url: string; close: () => Promise<void> };

/** Serves `html` at / on every interface; the page is opened as http://localhost:<port>/. */
export async function startHost(html: () => string): Promise<Host> {
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
export function hostPage(body: string): string {
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

export function appOrigin(baseURL: string | undefined): string {
  const origin = new URL(baseURL ?? "http://127.0.0.1:3000").origin;
  // The host page is on localhost: the app must be on another site for this spec to mean
  // anything.
  expect(new URL(origin).hostname).not.toBe("localhost");
  return origin;
}

export const received = (page: Page) => page.evaluate(() => (window as any).received as any[]);

/** Uncaught errors and Rust panics, in the page or any frame. */
export function watchErrors(page: Page): string[] {
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
export async function frameStorage(page: Page): Promise<string> {
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

/** Zoom in, drag to pan, expand HTTP: the map in `map` takes input. */
export async function panZoomExpand(page: Page, map: FrameLocator) {
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
}

/** Ready, resize, pan, zoom, expand, panel, mark: the embed works. */
export async function exerciseEmbed(page: Page, map: FrameLocator) {
  await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
  await expect.poll(async () => (await received(page)).some((m) => m.type === "ready"), { timeout: 5000 }).toBe(true);
  const ready = (await received(page)).find((m) => m.type === "ready");
  await expect
    .poll(() => page.locator("#map").evaluate((el) => (el as HTMLElement).clientHeight))
    .toBe(Math.ceil(ready.height));

  await panZoomExpand(page, map);

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

export function snippetFor(origin: string, query: string): string {
  return `<iframe id="map" src="${origin}/embed/backend?${query}" title="Backend roadmap" width="320" height="300"></iframe>
<script src="${origin}/embed.js" async></script>`;
}

/** Chromium launched as playwright.config.ts launches it (chromium.json), plus `extra` flags. */
export function chromiumWith(extra: string[]) {
  const launch = JSON.parse(readFileSync(path.join(__dirname, "..", "chromium.json"), "utf8"));
  return {
    executablePath: process.env.CHROMIUM_PATH ?? (launch.executablePath as string),
    args: [...(launch.args as string[]), ...extra],
  };
}


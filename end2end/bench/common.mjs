// What the bench scripts share: Chromium launched with the suite's flags, and a stamp of the
// moment the page reports it takes input (`main[data-hydrated=true]`).
import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";

export const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3000";

/** Chromium with the suite's flags, plus any in `CHROMIUM_FLAGS` (space-separated), e.g.
 * `--js-flags=--no-wasm-lazy-compilation` to see what V8's lazy wasm compilation costs. */
export async function launchChromium() {
  const launch = JSON.parse(readFileSync(new URL("../chromium.json", import.meta.url)));
  const extra = (process.env.CHROMIUM_FLAGS ?? "").split(" ").filter(Boolean);
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? launch.executablePath,
    args: [...launch.args, ...extra],
  });
}

/** Sets `window.__hydratedAt` (ms since navigation start) and a `hydrated` performance mark
 * when the page's `main` turns `data-hydrated=true`. Call before `page.goto`. */
export async function stampHydration(page) {
  await page.addInitScript(() => {
    new MutationObserver(() => {
      if (!window.__hydratedAt && document.querySelector("main[data-hydrated=true]")) {
        window.__hydratedAt = performance.now();
        performance.mark("hydrated");
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
}

/** Waits for the stamp and returns it. */
export async function hydratedAt(page) {
  await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 120_000 });
  return page.evaluate(() => window.__hydratedAt);
}

/** A fresh 1280 × 800 page with the hydration stamp and the CPU slowed `throttle` times. */
export async function throttledPage(browser, throttle) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await stampHydration(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
  return { context, page, cdp };
}

/** Starts recording the duration of every frame the page draws (requestAnimationFrame). */
export async function recordFrames(page) {
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__recording) requestAnimationFrame(tick);
    };
    window.__recording = true;
    requestAnimationFrame(tick);
  });
}

/** Stops the recording and returns the frame durations (ms), the first one left out. */
export async function recordedFrames(page) {
  return page.evaluate(() => {
    window.__recording = false;
    return window.__frames.slice(1);
  });
}

/** Adds the stylesheet in `BENCH_CSS`, if any, to a hydrated page: a style change can be
 * compared against the built one without a rebuild (a constructed sheet, which the page's
 * CSP allows where an inline one would be refused). */
export async function addBenchCss(page) {
  const css = process.env.BENCH_CSS;
  if (!css) return;
  await page.evaluate((text) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }, css);
}

/** Sends CDP `Input.dispatchMouseEvent` parameters one every 16 ms against the clock, without
 * awaiting each (open loop: a slow page gets the same input as a fast one, as from a real
 * mouse), then waits until all were delivered. */
export async function dispatchOpenLoop(cdp, events) {
  const sent = [];
  const start = performance.now();
  for (const [i, event] of events.entries()) {
    sent.push(cdp.send("Input.dispatchMouseEvent", event).catch(() => {}));
    const next = start + (i + 1) * 16;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(sent);
}

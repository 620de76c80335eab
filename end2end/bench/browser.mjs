// Browser figures for `bash .ci/bench`: time to hydration and frame times while panning and
// zooming the Backend roadmap fully expanded, in Debian's Chromium, with and without 4× CPU
// throttling. Prints JSON lines; never pass/fail.
//
//   BASE_URL=http://127.0.0.1:3100 node bench/browser.mjs
import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";

// The same Chromium and offline-safe flags as the Playwright suite.
const launch = JSON.parse(readFileSync(new URL("../chromium.json", import.meta.url), "utf8"));

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const PAGES = (process.env.BENCH_PAGES ?? "/roadmaps/backend").split(",");

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? launch.executablePath,
    args: launch.args,
  });
  for (const path of PAGES) {
    for (const throttle of [1, 4]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
      await page.goto(BASE + path);
      await page.locator("main[data-hydrated=true]").waitFor({ state: "attached", timeout: 60_000 });
      const hydrated = await page.evaluate(() => performance.now());
      // The map page keeps Expand all in its More menu.
      const more = page.getByRole("button", { name: "More" });
      if (await more.count()) await more.click();
      await page.getByRole("button", { name: "Expand all" }).click();
      const nodes = await page.locator(".node-card").count();
      const viewport = (await page.locator(".map-viewport").boundingBox());
      await page.locator(".map-viewport").scrollIntoViewIfNeeded();
      const box = (await page.locator(".map-viewport").boundingBox());
      // Record every frame's duration while the mouse pans and the wheel zooms.
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
      const cx = box.x + box.width / 2;
      const cy = box.y + Math.min(box.height, 500) / 2;
      for (let round = 0; round < 3; round++) {
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        await page.mouse.move(cx - 300, cy - 150, { steps: 30 });
        await page.mouse.move(cx + 200, cy + 100, { steps: 30 });
        await page.mouse.up();
        for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -120);
        for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 120);
      }
      const frames = await page.evaluate(() => {
        window.__recording = false;
        return window.__frames.slice(1);
      });
      console.log(
        JSON.stringify({
          page: path,
          throttle,
          nodes,
          viewport: Math.round(viewport.width) + "x" + Math.round(viewport.height),
          hydration_ms: Math.round(hydrated),
          frames: frames.length,
          frame_p50_ms: Number(percentile(frames, 50).toFixed(1)),
          frame_p95_ms: Number(percentile(frames, 95).toFixed(1)),
        }),
      );
      await context.close();
    }
  }
  await browser.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

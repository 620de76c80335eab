// Browser figures for `bash .ci/bench`, in Debian's Chromium, at 1× and 4× CPU throttling:
// - what a map page fetches before it is interactive, by type (HTML, JS, CSS, wasm, JSON):
//   raw, gzip -9 and brotli q11 sizes, and the bytes actually transferred;
// - the time to interactive: `main[data-hydrated=true]` (set once the map takes input),
//   stamped by a MutationObserver the moment it appears;
// - frame times while the map, fully expanded, is dragged and wheel-zoomed. Input is driven
//   open-loop: one CDP `Input.dispatchMouseEvent` every 16 ms, never awaited, as a hand
//   would: a slow page gets the same events as a fast one (awaiting each event lets a slow
//   page pace its own input, and hides its slowness).
// Prints JSON lines; never pass/fail.
//
//   BASE_URL=http://127.0.0.1:3100 BENCH_PAGES=/roadmaps/backend node bench/browser.mjs
import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { addBenchCss, dispatchOpenLoop, recordedFrames, recordFrames } from "./common.mjs";

// The same Chromium and offline-safe flags as the Playwright suite.
const launch = JSON.parse(readFileSync(new URL("../chromium.json", import.meta.url), "utf8"));

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const PAGES = (process.env.BENCH_PAGES ?? "/roadmaps/backend").split(",");

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function typeOf(url, initiator) {
  const path = new URL(url).pathname;
  if (initiator === "navigation") return "HTML";
  if (path.endsWith(".wasm")) return "wasm";
  if (path.endsWith(".js")) return "JS";
  if (path.endsWith(".css")) return "CSS";
  if (path.startsWith("/api/")) return "JSON";
  return "other";
}

/** What `url` serves, uncompressed, fetched again outside the browser. */
async function fetchRaw(url) {
  try {
    const response = await fetch(url, { headers: { "accept-encoding": "identity" } });
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`fetching ${url} for its sizes: ${error.cause ?? error}`);
  }
}

/** Raw, gzip -9 and brotli q11 sizes of `raw`. */
function sizes(raw) {
  return {
    raw: raw.length,
    gzip: gzipSync(raw, { level: 9 }).length,
    brotli: brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }).length,
  };
}

/** Every resource the page had started fetching when it became interactive, with sizes. */
async function bytesBeforeInteractive(page, path) {
  const entries = await page.evaluate(() => {
    const at = window.__hydratedAt;
    const nav = performance.getEntriesByType("navigation")[0];
    return [nav, ...performance.getEntriesByType("resource")]
      .filter((entry) => entry.startTime <= at)
      .map((entry) => ({
        url: entry.name,
        initiator: entry.initiatorType,
        transferred: entry.encodedBodySize,
      }));
  });
  // Every body first, then the compression: a quality-11 pass over the wasm takes seconds,
  // long enough for the server to close the kept-alive connection the next fetch would reuse
  // (it closes idle connections after its header timeout), which failed the bench with
  // "other side closed".
  const bodies = [];
  for (const entry of entries) bodies.push(await fetchRaw(entry.url));
  const byType = new Map();
  for (const [index, entry] of entries.entries()) {
    const type = typeOf(entry.url, entry.initiator);
    const total = byType.get(type) ?? { files: 0, raw: 0, gzip: 0, brotli: 0, transferred: 0 };
    const size = sizes(bodies[index]);
    total.files += 1;
    total.raw += size.raw;
    total.gzip += size.gzip;
    total.brotli += size.brotli;
    total.transferred += entry.transferred;
    byType.set(type, total);
  }
  const all = { files: 0, raw: 0, gzip: 0, brotli: 0, transferred: 0 };
  for (const [type, total] of byType) {
    console.log(JSON.stringify({ kind: "bytes", page: path, type, ...total }));
    for (const key of Object.keys(all)) all[key] += total[key];
  }
  console.log(JSON.stringify({ kind: "bytes", page: path, type: "total", ...all }));
}

/** Drags and wheel-zooms the map, one event every 16 ms whatever the page does. */
async function openLoopGestures(cdp, cx, cy) {
  const events = [];
  const mouse = (type, x, y, extra = {}) => events.push({ type, x, y, ...extra });
  const line = (from, to, steps) => {
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      mouse("mouseMoved", from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t, {
        button: "left",
        buttons: 1,
      });
    }
  };
  for (let round = 0; round < 3; round++) {
    mouse("mouseMoved", cx, cy);
    mouse("mousePressed", cx, cy, { button: "left", buttons: 1, clickCount: 1 });
    line([cx, cy], [cx - 300, cy - 150], 30);
    line([cx - 300, cy - 150], [cx + 200, cy + 100], 30);
    mouse("mouseReleased", cx + 200, cy + 100, { button: "left", buttons: 0, clickCount: 1 });
    for (let i = 0; i < 5; i++) mouse("mouseWheel", cx, cy, { deltaX: 0, deltaY: -120 });
    for (let i = 0; i < 5; i++) mouse("mouseWheel", cx, cy, { deltaX: 0, deltaY: 120 });
  }
  await dispatchOpenLoop(cdp, events);
  return events.length;
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
      await page.addInitScript(() => {
        const stamp = () => {
          if (!window.__hydratedAt && document.querySelector("main[data-hydrated=true]")) {
            window.__hydratedAt = performance.now();
          }
        };
        new MutationObserver(stamp).observe(document, {
          subtree: true,
          attributes: true,
          attributeFilter: ["data-hydrated"],
        });
      });
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
      await page.goto(BASE + path);
      await page.waitForFunction(() => window.__hydratedAt !== undefined, null, {
        timeout: 60_000,
      });
      const hydrated = await page.evaluate(() => window.__hydratedAt);
      if (throttle === 1) await bytesBeforeInteractive(page, path);
      await addBenchCss(page);
      // The map page keeps Expand all in its More menu.
      const more = page.getByRole("button", { name: "More" });
      if (await more.count()) await more.click();
      await page.getByRole("button", { name: "Expand all" }).click();
      const nodes = await page.locator(".node-card").count();
      await page.locator(".map-viewport").scrollIntoViewIfNeeded();
      const box = await page.locator(".map-viewport").boundingBox();
      // Record every frame's duration while the mouse pans and the wheel zooms.
      await recordFrames(page);
      const cx = box.x + box.width / 2;
      const cy = box.y + Math.min(box.height, 500) / 2;
      const events = await openLoopGestures(cdp, cx, cy);
      const frames = await recordedFrames(page);
      console.log(
        JSON.stringify({
          kind: "frames",
          page: path,
          throttle,
          nodes,
          viewport: Math.round(box.width) + "x" + Math.round(box.height),
          hydration_ms: Math.round(hydrated),
          events,
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

// CPU time of one drag across a map page, by thread and by event: press, 60 moves of 8 px
// (CDP input sent every 16 ms, open loop: a slow page gets the same input), release, traced.
// Prints the main thread's CPU by event, the raster workers' CPU (software raster of what
// the compositor shows, on the same 2 cores) and the frames the page drew meanwhile. Thread
// time, not wall time, so a busy machine skews it less. Never pass/fail.
//   node bench/pan-cost.mjs [path] [throttle]       BASE_URL as for the bench
import {
  BASE,
  dispatchOpenLoop,
  addBenchCss,
  hydratedAt,
  launchChromium,
  recordedFrames,
  recordFrames,
  throttledPage,
} from "./common.mjs";

const path = process.argv[2] ?? "/roadmaps/backend";
const browser = await launchChromium();
const { page, cdp } = await throttledPage(browser, Number(process.argv[3] ?? 1));
await page.goto(BASE + path);
await hydratedAt(page);
await addBenchCss(page);
await page.getByRole("button", { name: "More" }).click();
await page.getByRole("button", { name: "Expand all" }).click();
await page.waitForTimeout(500);
const before = await page.locator(".node-card").count();
const mouse = (type, x, extra = {}) =>
  cdp.send("Input.dispatchMouseEvent", { type, x, y: 400, button: "left", ...extra });
await browser.startTracing(page, { categories: ["devtools.timeline", "toplevel", "cc"] });
await recordFrames(page);
await mouse("mousePressed", 1000, { buttons: 1, clickCount: 1 });
const moves = Array.from({ length: 60 }, (_, i) => ({
  type: "mouseMoved",
  x: 1000 - 8 * (i + 1),
  y: 400,
  button: "left",
  buttons: 1,
}));
await dispatchOpenLoop(cdp, moves);
await mouse("mouseReleased", 520, { buttons: 0, clickCount: 1 });
const frames = (await recordedFrames(page)).sort((a, b) => a - b);
await page.waitForTimeout(300);
const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
const main = events.find((e) => e.name === "UpdateLayoutTree" || e.name === "Layout");
const sums = {};
let busy = 0;
let raster = 0;
for (const e of events) {
  if (e.ph !== "X") continue;
  const ms = (e.tdur ?? e.dur) / 1000;
  if (e.name === "RasterTask") raster += ms;
  if (e.tid !== main?.tid || e.pid !== main?.pid) continue;
  sums[e.name] = (sums[e.name] ?? 0) + ms;
  if (e.name === "ThreadControllerImpl::RunTask") busy += ms;
}
const after = await page.locator(".node-card").count();
const pct = (p) => frames[Math.min(frames.length - 1, Math.floor((frames.length * p) / 100))] ?? 0;
console.log(
  `${path} drag of 480 px: frames ${frames.length}, p50 ${pct(50).toFixed(1)} ms, ` +
    `p95 ${pct(95).toFixed(1)} ms; raster CPU ${raster.toFixed(0)} ms; ` +
    `main-thread CPU ${busy.toFixed(0)} ms (cards ${before} -> ${after}): ` +
    Object.entries(sums)
      .filter(([name]) => name !== "ThreadControllerImpl::RunTask")
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
      .join(", "),
);
await browser.close();

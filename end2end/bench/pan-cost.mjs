// Main-thread CPU time of one drag across a map page: press, 60 moves of 8 px (CDP input,
// 16 ms apart), release, traced; prints thread time (not wall time, so a busy machine skews it
// less) by event. Compares builds on a culled map, where a pan adds and removes cards.
// Never pass/fail.
//   node bench/pan-cost.mjs [path] [throttle]       BASE_URL as for the bench
import { BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";

const path = process.argv[2] ?? "/roadmaps/backend";
const browser = await launchChromium();
const { page, cdp } = await throttledPage(browser, Number(process.argv[3] ?? 1));
await page.goto(BASE + path);
await hydratedAt(page);
await page.getByRole("button", { name: "More" }).click();
await page.getByRole("button", { name: "Expand all" }).click();
await page.waitForTimeout(500);
const before = await page.locator(".node-card").count();
const mouse = (type, x, extra = {}) =>
  cdp.send("Input.dispatchMouseEvent", { type, x, y: 400, button: "left", ...extra });
await browser.startTracing(page, { categories: ["devtools.timeline", "toplevel"] });
await mouse("mousePressed", 1000, { buttons: 1, clickCount: 1 });
for (let i = 1; i <= 60; i++) {
  await mouse("mouseMoved", 1000 - 8 * i, { buttons: 1 });
  await page.waitForTimeout(16);
}
await mouse("mouseReleased", 520, { buttons: 0, clickCount: 1 });
await page.waitForTimeout(300);
const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
const main = events.find((e) => e.name === "UpdateLayoutTree" || e.name === "Layout");
const sums = {};
let busy = 0;
for (const e of events) {
  if (e.ph !== "X" || e.tid !== main?.tid || e.pid !== main?.pid) continue;
  const ms = (e.tdur ?? e.dur) / 1000;
  sums[e.name] = (sums[e.name] ?? 0) + ms;
  if (e.name === "ThreadControllerImpl::RunTask") busy += ms;
}
const after = await page.locator(".node-card").count();
console.log(
  `${path} drag of 480 px: main-thread CPU ${busy.toFixed(0)} ms (cards ${before} -> ${after}); ` +
    Object.entries(sums)
      .filter(([name]) => name !== "ThreadControllerImpl::RunTask")
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
      .join(", "),
);
await browser.close();

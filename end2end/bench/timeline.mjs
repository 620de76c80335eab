// The main thread's long tasks until `main[data-hydrated=true]`, in order: when each started
// (ms after navigation), how long it ran, and the events that took most of it. Shows what
// stands on the critical path to interactive. Never pass/fail.
//
//   node bench/timeline.mjs [path] [throttle] [min-ms]    BASE_URL as for the bench
import { BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";

const path = process.argv[2] ?? "/roadmaps/backend";
const throttle = Number(process.argv[3] ?? 4);
const minMs = Number(process.argv[4] ?? 15);

const browser = await launchChromium();
const { page } = await throttledPage(browser, throttle);
await browser.startTracing(page, {
  categories: ["toplevel", "devtools.timeline", "blink.user_timing", "loading", "v8"],
});
await page.goto(BASE + path);
const hydrated = await hydratedAt(page);
const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
await browser.close();

const parse = events.find((e) => e.name === "ParseHTML");
const onMain = events.filter((e) => e.pid === parse.pid && e.tid === parse.tid && e.ph === "X");
const nav = events.find((e) => e.name === "navigationStart" && e.pid === parse.pid) ?? parse;
const start = nav.ts;
const marks = events
  .filter((e) => e.pid === parse.pid && ["firstContentfulPaint", "firstPaint", "domContentLoadedEventEnd", "hydrated", "largestContentfulPaint::Candidate"].includes(e.name))
  .map((e) => [((e.ts - start) / 1000).toFixed(0), e.name]);
const tasks = onMain.filter((e) => e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask");
console.log(`${path} at ${throttle}x: hydrated at ${hydrated.toFixed(0)} ms`);
console.log("marks:", marks.map(([t, n]) => `${n}@${t}`).join(", "));
let busy = 0;
for (const task of tasks) {
  const at = (task.ts - start) / 1000;
  const dur = task.dur / 1000;
  if (at < 0 || at > hydrated + 50) continue;
  busy += dur;
  if (dur < minMs) continue;
  const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && e.name !== "RunTask");
  const sums = new Map();
  for (const e of inside) sums.set(e.name, (sums.get(e.name) ?? 0) + e.dur / 1000);
  const top = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, d]) => `${n} ${d.toFixed(0)}`);
  console.log(`${at.toFixed(0).padStart(6)} ms  ${dur.toFixed(0).padStart(5)} ms  ${top.join(", ")}`);
}
console.log(`main thread busy until hydrated: ${busy.toFixed(0)} ms`);

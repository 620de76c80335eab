// Where the main thread's time goes until `main[data-hydrated=true]`: a Chromium trace of
// one page load with the CPU throttled, summed by event (parse, style, layout, compile,
// script...). Never pass/fail.
//
//   node bench/trace.mjs [path] [throttle]       BASE_URL defaults to http://127.0.0.1:3000
import { BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";

const path = process.argv[2] ?? "/roadmaps/backend";
const throttle = Number(process.argv[3] ?? 4);

const browser = await launchChromium();
const { page } = await throttledPage(browser, throttle);
await browser.startTracing(page, {
  categories: ["devtools.timeline", "v8.execute", "blink.user_timing", "loading", "v8"],
});
await page.goto(BASE + path);
const hydrated = await hydratedAt(page);
const buffer = await browser.stopTracing();
await browser.close();

const events = JSON.parse(buffer.toString()).traceEvents;
const nav = events.find((e) => e.name === "navigationStart" || e.name === "NavigationBodyLoader::StartLoadingBody");
const mark = events.find((e) => e.name === "hydrated");
const main = events.find((e) => e.name === "TracingStartedInBrowser") ;
// The renderer main thread: the thread that ran ParseHTML.
const parse = events.find((e) => e.name === "ParseHTML");
const tid = parse?.tid;
const pid = parse?.pid;
const end = mark?.ts ?? Infinity;
const sums = new Map();
const counts = new Map();
for (const e of events) {
  if (e.pid !== pid || e.tid !== tid || e.ph !== "X" || !e.dur || e.ts > end) continue;
  sums.set(e.name, (sums.get(e.name) ?? 0) + e.dur);
  counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
}
if (process.env.TRACE_TIMELINE) {
  const t0 = events.find((e) => e.name === "navigationStart")?.ts ?? parse.ts;
  const top = events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === "X" && e.dur >= 8000 && e.ts <= end)
    .sort((a, b) => a.ts - b.ts);
  let until = 0;
  for (const e of top) {
    if (e.ts < until) continue; // nested in the previous top-level event
    until = e.ts + e.dur;
    console.log(`${((e.ts - t0) / 1000).toFixed(0).padStart(6)} +${(e.dur / 1000).toFixed(0).padStart(5)}  ${e.name} ${e.args?.data?.url ?? e.args?.data?.functionName ?? ""}`);
  }
}
console.log(`${path} at ${throttle}x CPU: hydrated at ${Math.round(hydrated)} ms after navigation start`);
console.log("main-thread events until then (total ms incl. nested, count):");
for (const [name, us] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${(us / 1000).toFixed(1).padStart(9)}  ${String(counts.get(name)).padStart(5)}  ${name}`);
}

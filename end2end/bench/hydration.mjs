// Hydration time only, several loads per page, min and median: quick A/B figures for one
// change (`.ci/bench` prints the full set). Never pass/fail.
//
//   node bench/hydration.mjs [runs] [throttle] path...    BASE_URL as for the bench
//
// Beside the wall-clock time it prints the main thread's CPU time until then (the thread time
// of its top-level trace events): on a busy machine wall-clock figures swing with the other
// work, CPU time much less, so A/B comparisons of a change use that one.
import { BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";

const [runsArg, throttleArg, ...paths] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const throttle = Number(throttleArg ?? 4);
const browser = await launchChromium();
for (const path of paths.length ? paths : ["/roadmaps/backend"]) {
  const times = [];
  const cpu = [];
  let errors = 0;
  for (let i = 0; i < runs; i++) {
    const { context, page } = await throttledPage(browser, throttle);
    page.on("pageerror", () => errors++);
    await browser.startTracing(page, { categories: ["toplevel", "devtools.timeline", "blink.user_timing"] });
    const response = await page.goto(BASE + path);
    if (!response?.ok()) errors++;
    times.push(await hydratedAt(page));
    cpu.push(mainThreadCpu(JSON.parse((await browser.stopTracing()).toString()).traceEvents));
    await context.close();
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(
    `${path} ${throttle}x: hydrated min ${Math.round(Math.min(...times))} ms, median ${Math.round(median(times))} ms;` +
      ` main-thread CPU until then min ${Math.round(Math.min(...cpu))} ms, median ${Math.round(median(cpu))} ms` +
      ` (${runs} loads: ${times.map(Math.round).join(" ")} ms, CPU ${cpu.map(Math.round).join(" ")} ms; errors ${errors})`,
  );
}
await browser.close();

/** CPU time (ms) of the renderer's main thread from the start of the trace to the `hydrated`
 * mark: the thread time of its tasks (`ThreadControllerImpl::RunTask`). */
function mainThreadCpu(events) {
  const parse = events.find((e) => e.name === "ParseHTML");
  const mark = events.find((e) => e.name === "hydrated");
  if (!parse || !mark) return NaN;
  let total = 0;
  for (const e of events) {
    if (e.pid === parse.pid && e.tid === parse.tid && e.name === "ThreadControllerImpl::RunTask" && e.ph === "X" && e.ts <= mark.ts) {
      total += e.tdur ?? 0;
    }
  }
  return total / 1000;
}

// Hydration time only, several loads per page, min and median: quick A/B figures for one
// change (`.ci/bench` prints the full set). Never pass/fail.
//
//   node bench/hydration.mjs [runs] [throttle] path...    BASE_URL as for the bench
import { BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";

const [runsArg, throttleArg, ...paths] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const throttle = Number(throttleArg ?? 4);
const browser = await launchChromium();
for (const path of paths.length ? paths : ["/roadmaps/backend"]) {
  const times = [];
  let errors = 0;
  for (let i = 0; i < runs; i++) {
    const { context, page } = await throttledPage(browser, throttle);
    page.on("pageerror", () => errors++);
    const response = await page.goto(BASE + path);
    if (!response?.ok()) errors++;
    times.push(await hydratedAt(page));
    await context.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `${path} ${throttle}x: hydrated min ${Math.round(times[0])} ms, median ${Math.round(median)} ms` +
      ` (${runs} loads: ${times.map(Math.round).join(" ")}; errors ${errors})`,
  );
}
await browser.close();

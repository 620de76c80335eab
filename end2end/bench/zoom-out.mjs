// Zooming a fully expanded map out to its overview, one wheel step at a time: the time from
// each step to the second frame after it (the step's work painted), median and worst of the
// steps. On a large, culled map every step widens the area whose cards must exist. Never
// pass/fail.
//   node bench/zoom-out.mjs [path] [throttle]       BASE_URL as for the bench
import { addBenchCss, BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";

const path = process.argv[2] ?? "/roadmaps/backend";
const throttle = Number(process.argv[3] ?? 1);
const browser = await launchChromium();
const { page, cdp } = await throttledPage(browser, throttle);
await page.goto(BASE + path);
await hydratedAt(page);
await addBenchCss(page);
await page.getByRole("button", { name: "More" }).click();
await page.getByRole("button", { name: "Expand all" }).click();
await page.waitForTimeout(500);
const steps = [];
for (let i = 0; i < 15; i++) {
  const start = Date.now();
  await cdp.send("Input.dispatchMouseEvent", { type: "mouseWheel", x: 640, y: 400, deltaX: 0, deltaY: 100 });
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  steps.push(Date.now() - start);
}
const cards = await page.locator(".node-card").count();
const zoom = await page.locator(".zoom-level").textContent().catch(() => "?");
steps.sort((a, b) => a - b);
console.log(
  `${path} at ${throttle}x CPU, 15 wheel steps out to ${zoom?.trim()}: median ${steps[7]} ms, ` +
    `worst ${steps[14]} ms per step; ${cards} cards at the end`,
);
await browser.close();

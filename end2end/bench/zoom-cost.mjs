// Style cost of panning and zooming: with the Backend map fully expanded, 30 mouse moves and
// then 30 wheel steps (CDP input, 16 ms apart), each traced; prints the main thread's time by
// event for each. A zoom step should not restyle every card. Never pass/fail.
//   node bench/zoom-cost.mjs [throttle]       BASE_URL as for the bench
import { BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";
const browser = await launchChromium();
const { page, cdp } = await throttledPage(browser, Number(process.argv[2] ?? 1));
await page.goto(BASE + "/roadmaps/backend");
await hydratedAt(page);
await page.getByRole("button", { name: "More" }).click();
await page.getByRole("button", { name: "Expand all" }).click();
await page.waitForTimeout(500);
for (const mode of ["pan", "zoom"]) {
  await browser.startTracing(page, { categories: ["devtools.timeline"] });
  for (let i = 0; i < 30; i++) {
    if (mode === "pan") {
      await cdp.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: 600 + (i % 2) * 10, y: 400, button: "left", buttons: 1 });
    } else {
      await cdp.send("Input.dispatchMouseEvent", { type: "mouseWheel", x: 600, y: 400, deltaX: 0, deltaY: i % 2 ? 40 : -40 });
    }
    await page.waitForTimeout(16);
  }
  if (mode === "pan") await cdp.send("Input.dispatchMouseEvent", { type: "mousePressed", x: 600, y: 400, button: "left", clickCount: 1 });
  await page.waitForTimeout(300);
  const ev = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const parse = ev.find((e) => e.name === "UpdateLayoutTree" || e.name === "Layout");
  const sums = {};
  for (const e of ev) if (e.ph === "X" && e.tid === parse?.tid && e.pid === parse?.pid) { sums[e.name] = (sums[e.name] ?? 0) + e.dur / 1000; }
  console.log(mode, Object.entries(sums).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", "));
}
await browser.close();

// Where hydration time goes: loads a page with the CPU throttled, records a V8 CPU profile
// from navigation to `main[data-hydrated=true]`, and prints the functions with the most self
// time (wasm functions keep their names only in a build made with `wasm-bindgen --keep-debug`;
// see the README's Benchmarks). Never pass/fail.
//
//   node bench/profile.mjs [path] [throttle]      BASE_URL defaults to http://127.0.0.1:3000
import { writeFileSync } from "node:fs";
import { BASE, hydratedAt, launchChromium, throttledPage } from "./common.mjs";

const path = process.argv[2] ?? "/roadmaps/backend";
const throttle = Number(process.argv[3] ?? 4);
const top = Number(process.env.PROFILE_TOP ?? 40);

function demangle(name) {
  const m = /^_ZN(.*)17h[0-9a-f]{16}E$/.exec(name) ?? /^_ZN(.*)E$/.exec(name);
  if (!m) return name;
  const parts = [];
  let s = m[1];
  while (s.length && /^\d/.test(s)) {
    const len = parseInt(s, 10);
    const digits = String(len).length;
    parts.push(s.slice(digits, digits + len));
    s = s.slice(digits + len);
  }
  return parts
    .join("::")
    .replace(/\$LT\$/g, "<")
    .replace(/\$GT\$/g, ">")
    .replace(/\$u20\$/g, " ")
    .replace(/\$RF\$/g, "&")
    .replace(/\$C\$/g, ",")
    .replace(/\$LP\$/g, "(")
    .replace(/\$RP\$/g, ")")
    .replace(/\.\./g, "::");
}

const browser = await launchChromium();
const { context, page, cdp } = await throttledPage(browser, throttle);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
// PROFILE_GESTURE=1: profile a drag and wheel zoom of the fully expanded map instead of the load
// (PROFILE_GESTURE=drag: the drag alone).
const gesture = Boolean(process.env.PROFILE_GESTURE);
if (!gesture) await cdp.send("Profiler.start");
await page.goto(BASE + path);
await hydratedAt(page);
if (gesture) {
  const more = page.getByRole("button", { name: "More" });
  if (await more.count()) await more.click();
  await page.getByRole("button", { name: "Expand all" }).click();
  await page.waitForTimeout(500);
  const mouse = (type, x, extra = {}) =>
    cdp.send("Input.dispatchMouseEvent", { type, x, y: 400, button: "left", ...extra });
  await cdp.send("Profiler.start");
  await mouse("mousePressed", 1000, { buttons: 1, clickCount: 1 });
  for (let i = 1; i <= 60; i++) {
    await mouse("mouseMoved", 1000 - 8 * i, { buttons: 1 });
    await page.waitForTimeout(16);
  }
  await mouse("mouseReleased", 520, { buttons: 0, clickCount: 1 });
  for (let i = 0; i < (process.env.PROFILE_GESTURE === "drag" ? 0 : 30); i++) {
    await mouse("mouseWheel", 640, { deltaX: 0, deltaY: i < 15 ? 100 : -100 });
    await page.waitForTimeout(16);
  }
  await page.waitForTimeout(300);
}
const { profile } = await cdp.send("Profiler.stop");
if (process.env.PROFILE_SAVE) writeFileSync(process.env.PROFILE_SAVE, JSON.stringify(profile));
const timing = await page.evaluate(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource").map((r) => [r.name.replace(/^.*\//, ""), Math.round(r.responseEnd)]);
  return { hydrated: Math.round(window.__hydratedAt), dcl: Math.round(nav.domContentLoadedEventEnd), load: Math.round(nav.loadEventEnd), res };
});
await browser.close();

// Self time per node, then per function name.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
}
const perFn = new Map();
const total = new Map(); // inclusive, per name, counted once per sample
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
for (let i = 0; i < profile.samples.length; i++) {
  const seen = new Set();
  let id = profile.samples[i];
  while (id !== undefined) {
    const fn = demangle(byId.get(id).callFrame.functionName || "(anonymous)");
    if (!seen.has(fn)) {
      seen.add(fn);
      total.set(fn, (total.get(fn) ?? 0) + (deltas[i] ?? 0));
    }
    id = parent.get(id);
  }
}
for (const [id, t] of self) {
  const fn = demangle(byId.get(id).callFrame.functionName || "(anonymous)");
  perFn.set(fn, (perFn.get(fn) ?? 0) + t);
}
const ms = (us) => (us / 1000).toFixed(1).padStart(8);
console.log(`${path} at ${throttle}x CPU: hydrated at ${timing.hydrated} ms, DOMContentLoaded ${timing.dcl} ms`);
console.log("resources (responseEnd ms):", timing.res.map(([n, t]) => `${n} ${t}`).join(", "));
console.log(`\n== top ${top} by self time (ms, throttled) ==`);
for (const [fn, t] of [...perFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(ms(t), fn.slice(0, 160));
console.log(`\n== top ${top} by inclusive time ==`);
for (const [fn, t] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(ms(t), fn.slice(0, 160));
const filter = process.env.PROFILE_FILTER ?? "^(app|trailmap_core)::";
console.log(`\n== inclusive time of functions matching /${filter}/ ==`);
for (const [fn, t] of [...total].filter(([fn]) => new RegExp(filter).test(fn)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(ms(t), fn.slice(0, 160));

// PROFILE_CALLERS=regex: for samples whose leaf matches, the nearest app/core ancestors.
if (process.env.PROFILE_CALLERS) {
  const re = new RegExp(process.env.PROFILE_CALLERS);
  const chains = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    let id = profile.samples[i];
    const leaf = demangle(byId.get(id).callFrame.functionName || "");
    if (!re.test(leaf)) continue;
    const chain = [];
    while (id !== undefined && chain.length < 3) {
      const fn = demangle(byId.get(id).callFrame.functionName || "");
      if (/^(app|trailmap_core|leptos_router|reactive_graph::effect|tachys::reactive_graph::suspense)/.test(fn)) chain.push(fn.replace(/::h[0-9a-f]{16}$/, ""));
      id = parent.get(id);
    }
    const key = chain.join(" < ");
    chains.set(key, (chains.get(key) ?? 0) + (deltas[i] ?? 0));
  }
  console.log(`\n== where /${process.env.PROFILE_CALLERS}/ is called from ==`);
  for (const [k, t] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(ms(t), k.slice(0, 400));
}

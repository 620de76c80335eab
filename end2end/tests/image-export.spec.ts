import { expect, Download, Page, test } from "@playwright/test";
import { readFile } from "node:fs/promises";

// Download image: the map with the learner's statuses as SVG and PNG, made in the browser from
// the same layout as the server's /roadmaps/{slug}.svg snapshot.

async function openMap(page: Page) {
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.locator(".progress-text")).toBeVisible();
}

async function download(page: Page, button: string): Promise<Buffer> {
  const started = page.waitForEvent("download");
  await page.getByRole("button", { name: button }).click();
  const file: Download = await started;
  expect(await file.failure()).toBeNull();
  return readFile((await file.path())!);
}

type Parsed = {
  ok: boolean;
  width: number;
  height: number;
  titles: string[];
  marked: Record<string, string>;
  /** Each card's top-left corner, by title. */
  at: Record<string, [number, number]>;
};

/** Parses an SVG document in the page (DOMParser): each card's title (its lines joined) and status. */
async function parseSvg(page: Page, svg: string): Promise<Parsed> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const root = doc.documentElement;
    const titleOf = (t: Element) => [...t.querySelectorAll("tspan")].map((s) => s.textContent).join(" ");
    const marked: Record<string, string> = {};
    for (const group of doc.querySelectorAll("g[data-status]")) {
      const text = [...group.querySelectorAll("text")].find((t) => t.querySelector("tspan"));
      if (text) marked[titleOf(text)] = group.getAttribute("data-status")!;
    }
    const at: Record<string, [number, number]> = {};
    for (const rect of doc.querySelectorAll("g > rect:first-child")) {
      const text = rect.parentElement!.querySelector(":scope > text");
      if (text && text.querySelector("tspan")) {
        at[titleOf(text)] = [Number(rect.getAttribute("x")), Number(rect.getAttribute("y"))];
      }
    }
    return {
      at,
      ok: doc.getElementsByTagName("parsererror").length === 0 && root.localName === "svg",
      width: Number(root.getAttribute("width")),
      height: Number(root.getAttribute("height")),
      titles: [...doc.querySelectorAll("text")].filter((t) => t.querySelector("tspan")).map(titleOf),
      marked,
    };
  }, svg);
}

test("the whole map downloads as SVG and PNG with the learner's statuses and every title", async ({ page, request }) => {
  await openMap(page);
  await page.locator("#node-dns").focus();
  await page.keyboard.press("d");
  await page.locator("#node-http").focus();
  await page.keyboard.press("l");
  await expect(page.locator("#node-dns")).toHaveClass(/status-done/);

  await page.getByRole("button", { name: "More" }).click();
  await page.locator(".image-export > summary").click();
  await expect(page.getByRole("radio", { name: "The whole map, as expanded" })).toBeChecked();
  const svg = (await download(page, "Download SVG")).toString("utf8");
  const parsed = await parseSvg(page, svg);
  expect(parsed.ok).toBe(true);
  expect(parsed.marked).toEqual({ DNS: "done", HTTP: "in_progress" });

  // The same cards as the server's snapshot of the same (default) expansion, in the same
  // order…
  const snapshot = await request.get("/roadmaps/backend.svg");
  expect(snapshot.status()).toBe(200);
  const server = await parseSvg(page, await snapshot.text());
  expect(parsed.titles).toEqual(server.titles);
  // …placed as the map on screen places them (the map lays itself out for the window):
  // the distance between two cards is the screen's, unscaled.
  const k = await page
    .locator(".map-canvas")
    .evaluate((el) => Number(/scale\(([\d.]+)\)/.exec((el as HTMLElement).style.transform)![1]));
  const screenAt = async (id: string) => {
    const box = (await page.locator(`#node-${id}`).boundingBox())!;
    return [box.x / k, box.y / k];
  };
  for (const [a, b, titleA, titleB] of [
    ["web-fundamentals", "dns", "Web fundamentals & HTTP", "DNS"],
    ["web-fundamentals", "databases", "Web fundamentals & HTTP", "Databases & SQL"],
  ]) {
    const [ax, ay] = await screenAt(a);
    const [bx, by] = await screenAt(b);
    expect(Math.abs(parsed.at[titleB][0] - parsed.at[titleA][0] - (bx - ax))).toBeLessThan(2);
    expect(Math.abs(parsed.at[titleB][1] - parsed.at[titleA][1] - (by - ay))).toBeLessThan(2);
  }
  expect(parsed.titles).toContain("What backend development is");
  expect(parsed.titles.length).toBeGreaterThan(20);

  const png = await download(page, "Download PNG");
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR: twice the SVG's size.
  expect(png.readUInt32BE(16)).toBe(parsed.width * 2);
  expect(png.readUInt32BE(20)).toBe(parsed.height * 2);
  await expect(page.locator(".image-export-problem")).toBeEmpty();
});

test("'What is on screen' downloads the cards in view and no others", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openMap(page);
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect(page.locator(".zoom-level")).toHaveText("150%");

  await page.getByRole("button", { name: "More" }).click();
  await page.locator(".image-export > summary").click();
  await page.getByRole("radio", { name: "What is on screen" }).check();
  const file = await download(page, "Download SVG");
  const parsed = await parseSvg(page, file.toString("utf8"));
  expect(parsed.ok).toBe(true);
  const viewBox = (file.toString("utf8").match(/viewBox="([^"]+)"/)![1]).split(" ").map(Number);

  // The picture's area, on screen: inside the map, and the cards the map shows there (any
  // part of them) are exactly the picture's.
  const { inView, area, map } = await page.evaluate(([x, y, w, h]) => {
    const canvas = document.querySelector(".map-canvas") as HTMLElement;
    const [, tx, ty, k] = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/
      .exec(canvas.style.transform)!
      .map(Number);
    const map = document.querySelector(".map-viewport")!.getBoundingClientRect();
    const area = { left: map.left + x * k + tx, top: map.top + y * k + ty, width: w * k, height: h * k };
    const inView = [...document.querySelectorAll(".node-card")]
      .filter((card) => {
        const r = card.getBoundingClientRect();
        return (
          r.right > area.left + 0.5 &&
          r.left < area.left + area.width - 0.5 &&
          r.bottom > area.top + 0.5 &&
          r.top < area.top + area.height - 0.5
        );
      })
      .map((card) => card.querySelector(".node-title")!.textContent!.replace(/\s+/g, " ").trim());
    return { inView, area, map: { left: map.left, top: map.top, width: map.width, height: map.height } };
  }, viewBox);
  expect(inView.length).toBeGreaterThan(2);
  expect([...parsed.titles].sort()).toEqual([...inView].sort());
  expect(area.left).toBeGreaterThanOrEqual(map.left - 1);
  expect(area.top).toBeGreaterThanOrEqual(map.top - 1);
  expect(area.left + area.width).toBeLessThanOrEqual(map.left + map.width + 1);
  expect(area.top + area.height).toBeLessThanOrEqual(map.top + map.height + 1);
  // Most of the map: all of it but the toolbars' bands.
  expect(area.width * area.height).toBeGreaterThan(0.5 * map.width * map.height);
});

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

type Parsed = { ok: boolean; width: number; height: number; titles: string[]; marked: Record<string, string> };

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
    return {
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

  // Card for card the server's snapshot of the same (default) expansion: same layout, same
  // titles, in the same order.
  const snapshot = await request.get("/roadmaps/backend.svg");
  expect(snapshot.status()).toBe(200);
  const server = await parseSvg(page, await snapshot.text());
  expect(parsed.titles).toEqual(server.titles);
  expect([parsed.width, parsed.height]).toEqual([server.width, server.height]);
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

  // The cards the map element shows (any part of them).
  const inView = await page.evaluate(() => {
    const map = document.querySelector(".map-viewport")!.getBoundingClientRect();
    return [...document.querySelectorAll(".node-card")]
      .filter((card) => {
        const r = card.getBoundingClientRect();
        return r.right > map.left && r.left < map.right && r.bottom > map.top && r.top < map.bottom;
      })
      .map((card) => card.querySelector(".node-title")!.textContent!.replace(/\s+/g, " ").trim());
  });
  expect(inView.length).toBeGreaterThan(2);

  await page.getByRole("button", { name: "More" }).click();
  await page.locator(".image-export > summary").click();
  await page.getByRole("radio", { name: "What is on screen" }).check();
  const file = await download(page, "Download SVG");
  const parsed = await parseSvg(page, file.toString("utf8"));
  expect(parsed.ok).toBe(true);
  expect([...parsed.titles].sort()).toEqual([...inView].sort());
  const box = (await page.locator(".map-viewport").boundingBox())!;
  // The view's content size: the element's size at 150 %.
  expect(parsed.width).toBeCloseTo(box.width / 1.5, 0);
  expect(parsed.height).toBeCloseTo(box.height / 1.5, 0);
});

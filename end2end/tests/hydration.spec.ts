import { expect, test } from "@playwright/test";

// Only meaningful with JavaScript: proves the wasm took over the server-rendered page.

test("the map hydrates without errors and nodes expand and collapse", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));

  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();

  const methods = page.getByRole("link", { name: "HTTP methods", exact: true });
  await expect(methods).toHaveCount(0);
  // A server-rendered button does nothing by itself: only the hydrated app can expand.
  await page.getByRole("button", { name: "Expand HTTP", exact: true }).click();
  await expect(methods).toBeVisible();
  await page.getByRole("button", { name: "Collapse HTTP", exact: true }).click();
  await expect(methods).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the glue and the split loader are fetched once each, by their preloads while the page is parsed", async ({
  page,
}) => {
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const { loads, parsedAt } = await page.evaluate(() => ({
    // Entries that brought bytes (a preload the CSP refused leaves an empty one).
    loads: performance
      .getEntriesByType("resource")
      .filter((entry) => /\/pkg\/[^/]+\.js$/.test(entry.name))
      .map((entry) => entry as PerformanceResourceTiming)
      .filter((entry) => entry.encodedBodySize > 0)
      .map((entry) => ({ path: new URL(entry.name).pathname, start: entry.startTime })),
    parsedAt: (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domInteractive,
  }));
  const paths = loads.map((load) => load.path).sort();
  expect(paths).toHaveLength(2);
  expect(paths[0]).toMatch(/^\/pkg\/__wasm_split\.[0-9a-f]{16}\.js$/);
  expect(paths[1]).toMatch(/^\/pkg\/trailmap\.[0-9a-f]{16}\.js$/);
  // Both asked for before the parser finished, not once the module script ran.
  for (const load of loads) {
    expect(load.start).toBeLessThan(parsedAt);
  }
});

test("opening a topic navigates inside the app, without reloading the page", async ({ page }) => {
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await page.getByRole("link", { name: "DNS", exact: true }).click();
  await expect(page.getByRole("complementary", { name: "DNS" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.screenshot({ path: "screenshots/map-page.png", fullPage: false });
});

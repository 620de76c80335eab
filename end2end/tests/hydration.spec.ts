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

test("opening a topic navigates inside the app, without reloading the page", async ({ page }) => {
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await page.getByRole("link", { name: "DNS", exact: true }).click();
  await expect(page.getByRole("complementary", { name: "DNS" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.screenshot({ path: "screenshots/map-page.png", fullPage: false });
});

import { expect, test } from "@playwright/test";
import { BACKEND_STAGES } from "./backend";

// Only meaningful with JavaScript: proves the wasm took over the server-rendered page.

test("the map hydrates without errors and stages collapse and expand", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));

  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();

  const stage = BACKEND_STAGES[0];
  const dns = page.getByRole("link", { name: "DNS", exact: true });
  await expect(dns).toBeVisible();

  // A server-rendered button does nothing by itself: only the hydrated app can collapse.
  await page.getByRole("button", { name: `Collapse ${stage}` }).click();
  await expect(dns).toBeHidden();
  const expand = page.getByRole("button", { name: `Expand ${stage}` });
  await expect(expand).toHaveAttribute("aria-expanded", "false");

  await expand.click();
  await expect(dns).toBeVisible();
  expect(errors).toEqual([]);
});

test("opening a topic navigates inside the app, without reloading the page", async ({ page }) => {
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await page.getByRole("link", { name: "Redis", exact: true }).click();
  await expect(page.getByRole("complementary", { name: "Redis" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.screenshot({ path: "screenshots/map-page.png", fullPage: false });
});

import { expect, test } from "@playwright/test";
import { BACKEND_STAGES } from "./backend";

// Runs twice: with JavaScript (the hydrated map) and without (the server-rendered outline).

test("the catalog lists the Backend roadmap and links to its map", async ({ page }) => {
  await page.goto("/");
  const card = page.getByRole("listitem").filter({ hasText: "Backend Developer" });
  await expect(card).toContainText("13");
  await expect(card).toContainText("6–9 months");
  await card.getByRole("link", { name: "Backend Developer" }).click();
  await expect(page).toHaveURL(/\/roadmaps\/backend$/);
  await expect(page.getByRole("heading", { level: 1, name: "Backend Developer" })).toBeVisible();
});

test("the page shows every stage in order", async ({ page, javaScriptEnabled }) => {
  await page.goto("/roadmaps/backend");
  if (javaScriptEnabled) {
    const tree = page.getByRole("tree", { name: "Roadmap topics" });
    await expect(tree.locator(".node-card.stage .node-title")).toHaveText(BACKEND_STAGES);
  } else {
    const outline = page.getByRole("navigation", { name: "Backend Developer outline" });
    // The stages' headings (the outline also opens with an "About this roadmap" h2
    // before the intro's h3s).
    await expect(outline.locator("h2:not(.intro-heading)")).toHaveText(BACKEND_STAGES);
  }
});

test("without JavaScript the outline links every topic, however deep", async ({ page, javaScriptEnabled }) => {
  test.skip(javaScriptEnabled, "the outline is what readers without JavaScript get");
  await page.goto("/roadmaps/backend");
  const outline = page.getByRole("navigation", { name: "Backend Developer outline" });
  for (const topic of ["DNS", "PostgreSQL", "JSON Web Tokens", "Redis", "Apache Kafka", "Helm"]) {
    await expect(outline.getByRole("link", { name: topic, exact: true })).toBeVisible();
  }
});

test("following a topic link opens its text and resources", async ({ page }) => {
  await page.goto("/roadmaps/backend");
  await page.getByRole("link", { name: "DNS", exact: true }).click();
  await expect(page).toHaveURL(/\?node=dns/);
  const panel = page.getByRole("complementary", { name: "DNS" });
  await expect(panel).toBeVisible();
  await expect(panel.locator(".topic-text p").first()).not.toBeEmpty();
  await expect(panel.getByText("Official").first()).toBeVisible();
});

test("a deep link opens a nested topic", async ({ page }) => {
  await page.goto("/roadmaps/backend?node=postgresql");
  const panel = page.getByRole("complementary", { name: "PostgreSQL" });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("link").filter({ hasText: /postgres/i }).first()).toHaveAttribute(
    "href",
    /^https:\/\//,
  );
});

test("an unknown roadmap is a real 404 page", async ({ page }) => {
  const response = await page.goto("/roadmaps/no-such-roadmap");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

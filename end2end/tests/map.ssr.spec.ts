import { expect, test } from "@playwright/test";
import { BACKEND_STAGES } from "./backend";

// Runs twice: with JavaScript (hydrated app) and without (server-rendered HTML only).

test("the catalog lists the Backend roadmap and links to its map", async ({ page }) => {
  await page.goto("/");
  const card = page.getByRole("listitem").filter({ hasText: "Backend Developer" });
  await expect(card).toContainText("13");
  await expect(card).toContainText("6 months");
  await card.getByRole("link", { name: "Backend Developer" }).click();
  await expect(page).toHaveURL(/\/roadmaps\/backend$/);
  await expect(page.getByRole("heading", { level: 1, name: "Backend Developer" })).toBeVisible();
});

test("the map page shows every stage in order and the topics as links", async ({ page }) => {
  await page.goto("/roadmaps/backend");
  const map = page.getByRole("navigation", { name: "Backend Developer map" });
  const stageHeadings = map.getByRole("heading", { level: 2 });
  await expect(stageHeadings).toHaveText(BACKEND_STAGES);
  for (const topic of ["DNS", "PostgreSQL", "JSON Web Tokens", "Redis", "Apache Kafka", "Docker"]) {
    await expect(map.getByRole("link", { name: topic, exact: true })).toBeVisible();
  }
});

test("following a topic link opens its text and resources", async ({ page }) => {
  await page.goto("/roadmaps/backend");
  await page.getByRole("link", { name: "PostgreSQL", exact: true }).click();
  await expect(page).toHaveURL(/\?node=postgresql$/);
  const panel = page.getByRole("complementary", { name: "PostgreSQL" });
  await expect(panel).toBeVisible();
  await expect(panel.locator(".topic-text p").first()).not.toBeEmpty();
  await expect(panel.getByText("Official").first()).toBeVisible();
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

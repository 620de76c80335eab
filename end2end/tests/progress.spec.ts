import { expect, Page, test } from "@playwright/test";

// Progress tracking without an account: statuses set from the panel, keys, the card's
// checkbox and its context menu; counters; persistence in localStorage; export and import.

const STORAGE_KEY = "trailmap.progress.backend";

async function openMap(page: Page, path = "/roadmaps/backend") {
  await page.goto(path);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  // The progress summary appears once the browser's storage has been read.
  await expect(page.locator(".progress-text")).toBeVisible();
}

const summary = (page: Page) => page.locator(".progress-text");

test("a status set in the topic panel shows on the card and survives a reload", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=client-server");
  const panel = page.getByRole("complementary", { name: "The client-server model" });
  await expect(summary(page)).toContainText(/^0 of \d+ topics settled/);

  await panel.getByRole("button", { name: "Done" }).click();

  await expect(panel.getByRole("button", { name: "Done" })).toHaveAttribute("aria-pressed", "true");
  const card = page.locator("#node-client-server");
  await expect(card).toHaveClass(/status-done/);
  await expect(card.locator(".status-icon")).toContainText("Done");
  await expect(summary(page)).toContainText(/^1 of \d+ topics settled/);
  await expect(page.locator("#node-web-fundamentals .stage-progress")).toHaveText(/^1\/\d+$/);

  await page.reload();
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.locator("#node-client-server")).toHaveClass(/status-done/);
  await expect(summary(page)).toContainText(/^1 of \d+ topics settled/);
  const stored = await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);
  expect(JSON.parse(stored!).log.entries["client-server"].status).toBe("done");
});

test("D, L, S and R set the focused topic's status; skipped counts as settled", async ({ page }) => {
  await openMap(page);
  await page.locator("#node-web-fundamentals").focus();
  await page.keyboard.press("ArrowRight");
  const card = page.locator("#node-what-is-backend");
  await expect(card).toBeFocused();

  await page.keyboard.press("l");
  await expect(card).toHaveClass(/status-in_progress/);
  await expect(summary(page)).toContainText(/^0 of \d+ topics settled/);
  await expect(summary(page)).toContainText("1 in progress");

  await page.keyboard.press("s");
  await expect(card).toHaveClass(/status-skipped/);
  await expect(summary(page)).toContainText(/^1 of \d+ topics settled/);
  await expect(summary(page)).toContainText("1 skipped");

  await page.keyboard.press("d");
  await expect(card).toHaveClass(/status-done/);
  await expect(summary(page)).toContainText("1 done");

  await page.keyboard.press("r");
  await expect(card).not.toHaveClass(/status-/);
  await expect(summary(page)).toContainText(/^0 of \d+ topics settled/);
});

test("the card's checkbox and its context menu set statuses", async ({ page }) => {
  await openMap(page);
  const card = page.locator("#node-what-is-backend");
  const box = page.getByRole("checkbox", { name: "Done: What backend development is" });
  await box.check();
  await expect(card).toHaveClass(/status-done/);
  await box.uncheck();
  await expect(card).not.toHaveClass(/status-done/);

  await card.locator(".node-title").click({ button: "right" });
  const menu = page.getByRole("group", { name: "Set status" });
  await menu.getByRole("button", { name: "In progress" }).click();
  await expect(card).toHaveClass(/status-in_progress/);
  await expect(menu).toHaveCount(0);
});

test("next topic jumps to the first pending topic in roadmap order (none in progress)", async ({ page }) => {
  await openMap(page);
  await page.getByRole("button", { name: "Next topic" }).click();
  await expect(page).toHaveURL(/node=what-is-backend/);
  const panel = page.getByRole("complementary", { name: "What backend development is" });
  await panel.getByRole("button", { name: "Skipped" }).click();

  await page.getByRole("button", { name: "Next topic" }).click();
  await expect(page).toHaveURL(/node=client-server/);
  await expect(page.locator("#node-client-server")).toBeFocused();
});

test("the outline view shows statuses too", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=client-server");
  await page
    .getByRole("complementary", { name: "The client-server model" })
    .getByRole("button", { name: "In progress" })
    .click();
  await page.getByRole("group", { name: "View" }).getByRole("button", { name: "Outline" }).click();
  const link = page.locator("#outline-client-server > a");
  await expect(link).toHaveClass(/status-in_progress/);
  await expect(link).toContainText("(In progress)");
});

test("progress exports to a file and imports back as a merge", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=client-server");
  await page
    .getByRole("complementary", { name: "The client-server model" })
    .getByRole("button", { name: "Done" })
    .click();
  await expect(summary(page)).toContainText(/^1 of/);

  // Export and import live in the progress details, which the progress chip opens.
  await page.getByRole("button", { name: /topics settled/ }).click();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export progress" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("trailmap-backend-progress.json");
  const exported = await (await file.createReadStream()).toArray();
  const text = Buffer.concat(exported).toString("utf8");
  const parsed = JSON.parse(text);
  expect(parsed.format).toBe("trailmap-progress");
  expect(parsed.roadmap).toBe("backend");

  // A fresh browser profile: nothing stored, then mark another topic, then import.
  await page.evaluate((key) => localStorage.removeItem(key), STORAGE_KEY);
  await openMap(page, "/roadmaps/backend");
  await page.locator("#node-web-fundamentals").focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("l");
  await expect(page.locator("#node-client-server")).not.toHaveClass(/status-done/);

  await page.getByRole("button", { name: /topics settled/ }).click();
  await page.getByText("Import progress").click();
  const input = page.getByLabel(/Paste an exported progress file/);
  await input.fill("{ this is not json");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.locator(".import-result")).toContainText("Not imported:");
  await expect(summary(page)).toContainText(/^0 of/);

  await input.fill(text);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.locator(".import-result")).toContainText("Imported: 1 topic(s) updated.");
  await expect(page.locator("#node-client-server")).toHaveClass(/status-done/);
  // Merged, not replaced: the local mark is still there.
  await expect(page.locator("#node-what-is-backend")).toHaveClass(/status-in_progress/);
});

test("corrupt stored progress is ignored with a warning, never a crash", async ({ page }) => {
  const warnings: string[] = [];
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "warning") warnings.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.addInitScript((key) => {
    if (!sessionStorage.getItem("seeded")) {
      localStorage.setItem(key, '{"version": 99, "garbage": [');
      sessionStorage.setItem("seeded", "1");
    }
  }, STORAGE_KEY);

  await openMap(page);

  await expect(summary(page)).toContainText(/^0 of \d+ topics settled/);
  expect(warnings.some((text) => text.includes("ignoring stored progress"))).toBe(true);
  expect(errors).toEqual([]);
  // And the map still works: a mark is saved over the corrupt value.
  await page.locator("#node-web-fundamentals").focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("d");
  await expect(page.locator("#node-what-is-backend")).toHaveClass(/status-done/);
  const stored = await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);
  expect(JSON.parse(stored!).log.entries["what-is-backend"].status).toBe("done");
});

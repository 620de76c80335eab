import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";

// The interactive map: pan, zoom, keyboard, search, deep links, outline, accessibility.

async function openMap(page: Page, path = "/roadmaps/backend") {
  await page.goto(path);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  // Mouse coordinates must fall inside the window: bring the map on screen.
  await page.locator(".map-viewport").scrollIntoViewIfNeeded();
}

const canvasTransform = (page: Page) =>
  page.locator(".map-canvas").evaluate((el) => (el as HTMLElement).style.transform);

test("zoom buttons zoom, reset restores the view", async ({ page }) => {
  await openMap(page);
  const zoom = page.locator(".zoom-level");
  await expect(zoom).toHaveText("100%");
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect(zoom).toHaveText("150%");
  await page.getByRole("button", { name: "Zoom out" }).click();
  await page.getByRole("button", { name: "Zoom out" }).click();
  await expect(zoom).toHaveText("67%");
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(zoom).toHaveText("100%");
  await page.getByRole("button", { name: "Fit" }).click();
  await expect(zoom).not.toHaveText("100%");
});

test("the wheel zooms around the cursor without scrolling the page", async ({ page }) => {
  await openMap(page);
  const box = (await page.locator(".map-viewport").boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const scrollBefore = await page.evaluate(() => window.scrollY);
  await page.mouse.wheel(0, -300);
  await expect(page.locator(".zoom-level")).not.toHaveText("100%");
  expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore);
});

test("dragging pans the map and the URL records the view", async ({ page }) => {
  await openMap(page);
  const before = await canvasTransform(page);
  const box = (await page.locator(".map-viewport").boundingBox())!;
  await page.mouse.move(box.x + 700, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x + 600, box.y + 200, { steps: 5 });
  await page.mouse.up();
  expect(await canvasTransform(page)).not.toBe(before);
  await expect(page).toHaveURL(/view=-?\d/);
});

test("a deep link restores the node and the viewport", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=redis&view=10,-900,1.5");
  await expect(page.locator(".zoom-level")).toHaveText("150%");
  await expect(page.getByRole("complementary", { name: "Redis" })).toBeVisible();
  await expect(page.getByRole("treeitem", { name: /Redis/ })).toHaveAttribute("aria-selected", "true");
});

test("the keyboard moves through the tree, opens and closes a topic", async ({ page }) => {
  await openMap(page);
  const first = page.locator("#node-web-fundamentals");
  await first.focus();
  await page.keyboard.press("ArrowRight");
  const child = page.locator("#node-what-is-backend");
  await expect(child).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.locator("#node-client-server")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("complementary", { name: "The client-server model" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("complementary")).toHaveCount(0);
  await expect(page.locator("#node-client-server")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(first).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(page.locator("#node-client-server")).toHaveCount(0);
});

test("search finds a deep topic, reveals it on the map and opens it", async ({ page }) => {
  await openMap(page);
  const search = page.getByRole("combobox", { name: "Search topics" });
  await search.fill("postgres");
  await expect(page.getByRole("option").first()).toContainText("PostgreSQL");
  await search.press("Enter");
  await expect(page.getByRole("complementary", { name: "PostgreSQL" })).toBeVisible();
  await expect(page.locator("#node-postgresql")).toBeVisible();
  await expect(page.locator("#node-postgresql")).toHaveClass(/highlighted/);
});

test("expand all shows every topic; the outline view lists them too", async ({ page }) => {
  await openMap(page);
  const cards = page.locator(".node-card");
  const initial = await cards.count();
  // A rarely used action: in the More menu.
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("button", { name: "Expand all" }).click();
  await expect.poll(() => cards.count()).toBeGreaterThan(initial + 50);
  await page.getByRole("button", { name: "Outline" }).click();
  const outline = page.getByRole("navigation", { name: "Backend Developer outline" });
  await expect(outline.getByRole("link", { name: "Helm", exact: true })).toBeVisible();
});

test("the More menu and the search results drop over an open topic panel", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openMap(page, "/roadmaps/backend?node=dns");
  const panel = page.getByRole("complementary", { name: "DNS" });
  await expect(panel).toBeVisible();
  // The menu's items are where the panel is: a click must reach them, not the panel.
  await page.getByRole("button", { name: "More" }).click();
  const expandAll = page.getByRole("button", { name: "Expand all" });
  const [items, frame] = await Promise.all([expandAll.boundingBox(), panel.boundingBox()]);
  expect(items!.x + items!.width).toBeGreaterThan(frame!.x);
  await expandAll.click();
  await expect(page.locator("#node-helm")).toBeAttached();

  // On a phone the panel is a sheet from the bottom, and the results list reaches into it.
  await page.setViewportSize({ width: 390, height: 500 });
  const search = page.getByRole("combobox", { name: /Search/ });
  await search.fill("a");
  const last = page.getByRole("listbox", { name: "Matching topics" }).getByRole("option").last();
  await last.scrollIntoViewIfNeeded();
  const title = ((await last.locator(".hit-title").textContent()) ?? "").trim();
  expect(title).not.toBe("DNS");
  await last.click();
  await expect(page.getByRole("complementary", { name: title })).toBeVisible();
});

test("the outline is not built until it is needed; printing builds it with every topic and status", async ({ page }) => {
  await openMap(page);
  // A browser running scripts gets the server's outline as one <noscript> text node, not
  // as hundreds of elements it would never show.
  const hidden = page.locator("nav.outline");
  await expect(hidden).toBeHidden();
  await expect(hidden.locator("noscript")).toHaveCount(1);
  await expect(hidden.locator("li.stage, li.topic")).toHaveCount(0);
  await page.locator("#node-client-server").getByRole("checkbox").check();
  // The browser's own print pipeline (Chromium's print to PDF fires `beforeprint`).
  await page.pdf();
  await page.emulateMedia({ media: "print" });
  const outline = page.getByRole("navigation", { name: "Backend Developer outline" });
  await expect(outline).toBeVisible();
  await expect(outline.getByRole("link", { name: "Helm", exact: true })).toBeVisible();
  await expect(page.locator("#outline-client-server")).toContainText("Done");
});

test("axe finds no accessibility violations on the map page", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=dns");
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
});

test("double-click zooms in around the pointer", async ({ page }) => {
  await openMap(page);
  // The middle of the map: its corners hold the floating toolbars.
  const box = (await page.locator(".map-viewport").boundingBox())!;
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.locator(".zoom-level")).toHaveText("200%");
});

test("two pointers pinch to zoom around their midpoint", async ({ page }) => {
  await openMap(page);
  await page.locator(".map-viewport").evaluate((el) => {
    const rect = el.getBoundingClientRect();
    const fire = (type: string, id: number, x: number, y: number) =>
      el.dispatchEvent(
        new PointerEvent(type, {
          pointerId: id,
          pointerType: "touch",
          clientX: rect.left + x,
          clientY: rect.top + y,
          bubbles: true,
          isPrimary: id === 1,
        }),
      );
    fire("pointerdown", 1, 300, 300);
    fire("pointerdown", 2, 400, 300);
    fire("pointermove", 1, 250, 300);
    fire("pointermove", 2, 450, 300);
    fire("pointerup", 1, 250, 300);
    fire("pointerup", 2, 450, 300);
  });
  await expect(page.locator(".zoom-level")).toHaveText("200%");
});

test("clicking the minimap moves the view there", async ({ page }) => {
  await openMap(page);
  const before = await canvasTransform(page);
  const minimap = page.getByRole("img", { name: /Minimap/ });
  await minimap.scrollIntoViewIfNeeded();
  const box = (await minimap.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 5);
  await expect.poll(() => canvasTransform(page)).not.toBe(before);
});

test("the theme toggle switches to dark and is remembered", async ({ page }) => {
  await openMap(page);
  const toggle = page.getByRole("button", { name: /Theme:/ });
  await toggle.click();
  await toggle.click();
  await expect(toggle).toHaveText("Theme: dark");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.getByRole("button", { name: /Theme:/ })).toHaveText("Theme: dark");
});

test("on a narrow screen the topic panel is a bottom sheet", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await openMap(page, "/roadmaps/backend?node=dns");
  await expect(page.getByRole("complementary", { name: "DNS" })).toBeVisible();
  // The sheet (the frame the panel floats in) spans the window's width at its bottom.
  const box = (await page.locator(".panel-frame").boundingBox())!;
  expect(Math.round(box.x)).toBe(0);
  expect(Math.round(box.width)).toBe(390);
  expect(Math.round(box.y + box.height)).toBe(800);
});

test("a topic links to the same topic in another roadmap", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=docker");
  const panel = page.getByRole("complementary", { name: /Docker/ });
  await panel.getByRole("link", { name: "Docker — DevOps & Deployment" }).click();
  await expect(page).toHaveURL(/\/roadmaps\/devops\?node=docker/);
  await expect(page.getByRole("heading", { level: 1, name: "DevOps & Deployment" })).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Docker" })).toBeVisible();
});

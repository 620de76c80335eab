import { expect, Page, test } from "@playwright/test";
import { appOrigin, startHost } from "./cross-site";
import { newUsername, signUpThroughApi } from "./support";

// Sharing progress (issue 18): a signed-in learner turns sharing on from the map page; the
// link, opened in a fresh browser context (no cookies), shows their statuses read-only and
// follows new marks; the progress embed on another site's page shows the same.

async function openMap(page: Page) {
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.locator(".sync-status")).toHaveAttribute("data-state", "synced");
}

async function markSynced(page: Page, id: string, key: "d" | "l" | "s") {
  await page.locator(`#node-${id}`).focus();
  await page.keyboard.press(key);
  await expect(page.locator(".sync-status")).toHaveAttribute("data-state", "synced");
}

/** Turns sharing on from the dialog and returns the link it shows. */
async function turnSharingOn(page: Page, name: string): Promise<string> {
  // A rarely used action: in the map page's More menu.
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("button", { name: "Share progress…" }).click();
  const dialog = page.getByRole("dialog", { name: "Share your progress" });
  await dialog.getByLabel("Name shown").fill(name);
  await dialog.getByRole("button", { name: "Turn sharing on" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Sharing is on");
  const link = await dialog.getByLabel("Link").inputValue();
  expect(link).toMatch(/\/roadmaps\/backend\/shared\/[0-9a-f]{32}$/);
  await dialog.getByRole("button", { name: "Close" }).click();
  return link;
}

test("a shared link shows the learner's statuses read-only to a stranger and follows new marks", async ({
  page,
  browser,
  baseURL,
}) => {
  await signUpThroughApi(page.request, newUsername());
  await openMap(page);
  await markSynced(page, "what-is-backend", "d");
  await markSynced(page, "client-server", "l");
  const link = new URL(await turnSharingOn(page, "Sam"), baseURL).toString();

  const stranger = await browser.newContext();
  const shared = await stranger.newPage();
  await shared.goto(link);
  await expect(shared.getByText("Progress shared by Sam")).toBeVisible();
  await expect(shared.locator('li[data-topic="what-is-backend"]')).toHaveAttribute("data-status", "done");
  await expect(shared.locator('li[data-topic="client-server"]')).toHaveAttribute("data-status", "in_progress");
  await expect(shared.locator('li[data-topic="dns"]')).toHaveAttribute("data-status", "pending");
  await expect(shared.getByRole("link", { name: "Start this roadmap yourself" })).toBeVisible();
  // Read-only: nothing on the page can change a status.
  await expect(shared.locator("button, input, select, textarea, form")).toHaveCount(0);
  expect(await stranger.cookies()).toEqual([]);

  await markSynced(page, "dns", "d");
  await shared.reload();
  await expect(shared.locator('li[data-topic="dns"]')).toHaveAttribute("data-status", "done");
  expect(await stranger.cookies()).toEqual([]);

  // The picture follows the reader's colour scheme, like the page around it.
  const paint = () =>
    shared.locator(".map svg").evaluate((svg) => ({
      background: getComputedStyle(svg.querySelector(".bg")!).fill,
      card: getComputedStyle(svg.querySelector(".card-pending")!).fill,
      ink: getComputedStyle(svg.querySelector(".ink")!).fill,
    }));
  await shared.emulateMedia({ colorScheme: "light" });
  expect(await paint()).toEqual({ background: "rgb(247, 248, 250)", card: "rgb(255, 255, 255)", ink: "rgb(28, 36, 48)" });
  await shared.emulateMedia({ colorScheme: "dark" });
  expect(await paint()).toEqual({ background: "rgb(18, 22, 28)", card: "rgb(27, 33, 41)", ink: "rgb(230, 234, 240)" });
  await stranger.close();
});

test("the progress embed on another site's page shows the shared statuses read-only", async ({
  page,
  browser,
  baseURL,
}) => {
  await signUpThroughApi(page.request, newUsername());
  await openMap(page);
  await markSynced(page, "what-is-backend", "d");
  const link = await turnSharingOn(page, "Sam");
  const token = link.split("/").pop();

  // The Embed dialog offers the progress embed now that this browser holds a link.
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("button", { name: "Embed…" }).click();
  const embedDialog = page.getByRole("dialog", { name: "Embed this roadmap" });
  await embedDialog.getByLabel("Show my shared progress (read-only)").check();
  await expect(embedDialog.getByLabel("Snippet")).toHaveValue(new RegExp(`share=${token}`));

  const origin = appOrigin(baseURL);
  const host = await startHost(() => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Host</title></head><body><h1>My learning log</h1>
<iframe id="map" title="My progress" src="${origin}/embed/backend?share=${token}" width="400" height="600"></iframe>
<script>window.received = [];
window.addEventListener("message", (e) => { if (e.data && e.data.source === "trailmap") window.received.push(e.data); });</script>
</body></html>`);
  const stranger = await browser.newContext();
  const hostPage = await stranger.newPage();
  try {
    await hostPage.goto(host.url);
    const map = hostPage.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    await expect(map.getByText("Progress of Sam, read-only")).toBeVisible();
    await expect(map.locator("#node-what-is-backend")).toHaveClass(/status-done/);
    await expect(map.locator(".embed-progress")).toContainText(/^1 of \d+ settled/);
    await expect
      .poll(() => hostPage.evaluate(() => (window as any).received.some((m: any) => m.type === "progress" && m.done === 1)))
      .toBe(true);
    // No control changes anything: the key does nothing, the mark stays.
    await map.locator("#node-dns").focus();
    await hostPage.keyboard.press("d");
    await expect(map.locator("#node-dns")).not.toHaveClass(/status-done/);
  } finally {
    await host.close();
    await stranger.close();
  }
});

import { expect, test } from "@playwright/test";
import {
  appOrigin,
  chromiumWith,
  exerciseEmbed,
  frameStorage,
  hostPage,
  NOTICE,
  snippetFor,
  startHost,
  watchErrors,
} from "./cross-site";

// The embed on another site with third-party storage blocked (as Chrome with third-party
// cookies blocked, Incognito, Safari, Brave and Firefox strict mode do): launch options must be
// top-level, so each storage mode has its own file.
test.use({ launchOptions: chromiumWith(["--test-third-party-cookie-phaseout"]) });

test("the embed on another site works with progress in memory, and says so", async ({ page, baseURL }) => {
  const errors = watchErrors(page);
  const origin = appOrigin(baseURL);
  const host = await startHost(() => hostPage(snippetFor(origin, "height=420")));
  try {
    await page.goto(host.url);
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    expect(await frameStorage(page)).toBe("SecurityError");

    await exerciseEmbed(page, map);
    const notice = map.getByRole("status").filter({ hasText: NOTICE });
    await expect(notice).toBeVisible();

    // The Storage Access API's button: this Chromium, never asked before, refuses. The notice
    // says so and the marks stay in memory.
    await notice.getByRole("button", { name: "Keep progress in this browser" }).click();
    await expect(notice).toContainText("The browser said no.");
    await expect(map.locator("#node-what-is-backend")).toHaveClass(/status-done/);
    await expect(map.locator(".embed-progress")).toContainText(/^1 of \d+ settled/);

    // In memory only: a reload of the host page starts again from nothing.
    await page.reload();
    await expect(page.frameLocator("#map").locator(".embed-progress")).toContainText(/^0 of \d+ settled/);
    expect(errors).toEqual([]);
  } finally {
    await host.close();
  }
});

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

// The embed on another site with third-party storage allowed.
test.use({ launchOptions: chromiumWith(["--disable-features=TrackingProtection3pcd"]) });

test("the embed on another site works and keeps marks across a reload of the host page", async ({
  page,
  baseURL,
}) => {
  const errors = watchErrors(page);
  const origin = appOrigin(baseURL);
  const host = await startHost(() => hostPage(snippetFor(origin, "height=420")));
  try {
    await page.goto(host.url);
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    expect(await frameStorage(page)).toBe("ok");

    await exerciseEmbed(page, map);
    await expect(map.getByText(NOTICE)).toHaveCount(0);

    await page.reload();
    const again = page.frameLocator("#map");
    await expect(again.locator("main[data-hydrated=true]")).toBeAttached();
    await expect(again.locator("#node-what-is-backend")).toHaveClass(/status-done/);
    await expect(again.locator(".embed-progress")).toContainText(/^1 of \d+ settled/);
    expect(errors).toEqual([]);
  } finally {
    await host.close();
  }
});

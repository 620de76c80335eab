import { expect, test } from "@playwright/test";
import { appOrigin, hostPage, PAGE_NOTICE, received, startHost, watchErrors } from "./cross-site";

// The client when the browser refuses: a throwing localStorage on the map page, sign-out's
// empty 204, and the Embed dialog's snippet pasted into a page of another site.

test("the map page hydrates and keeps marks in memory when localStorage throws", async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.getByRole("status").filter({ hasText: PAGE_NOTICE })).toBeVisible();
  await page.locator("#node-what-is-backend").focus();
  await page.keyboard.press("d");
  await expect(page.locator("#node-what-is-backend")).toHaveClass(/status-done/);
  await expect(page.locator(".progress-text")).toContainText(/^1 of \d+ topics settled/);
  // The theme still switches (it is not remembered).
  await page.getByRole("button", { name: /^Theme:/ }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", /light|dark/);
  expect(errors).toEqual([]);
});

test("sign out updates the page and the header at once, without an error", async ({ page }) => {
  const errors = watchErrors(page);
  const username = `o${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  await page.goto("/account");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const form = page.getByRole("form", { name: "Create an account" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill("correct horse battery staple");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  await expect(page.locator(".account-link")).toHaveText(username);

  const signOut = page.waitForResponse((r) => r.url().endsWith("/api/auth/signout"));
  await page.getByRole("button", { name: "Sign out" }).click();
  expect((await signOut).status()).toBe(204);
  await expect(page.getByRole("form", { name: "Create an account" })).toBeVisible();
  await expect(page.getByText(`Signed in as ${username}`)).toHaveCount(0);
  await expect(page.locator(".account-link")).toHaveText("Sign in");
  await expect(page.getByRole("alert").filter({ hasText: /unexpected|EOF/ })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the Embed dialog's snippet, pasted into a page of another site, gives a resized, working embed", async ({
  page,
  baseURL,
}) => {
  const errors = watchErrors(page);
  const origin = appOrigin(baseURL);
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.getByRole("button", { name: "Embed" }).click();
  const dialog = page.getByRole("dialog", { name: "Embed this roadmap" });
  const snippet = await dialog.getByLabel("Snippet").inputValue();
  expect(snippet).toContain(`<script src="${origin}/embed.js" async></script>`);
  expect(snippet).toMatch(new RegExp(`^<iframe src="${origin}/embed/backend`));
  // The preview is that snippet: embed.js runs and sizes its iframe from the embed's height.
  const preview = dialog.locator(".embed-preview iframe");
  await expect(preview).toHaveAttribute("src", /^\/embed\/backend/);
  await expect.poll(() => preview.evaluate((el) => (el as HTMLElement).style.height)).toMatch(/^\d+px$/);

  const host = await startHost(() => hostPage(snippet));
  try {
    await page.goto(host.url);
    const frame = page.locator('iframe[src*="/embed/backend"]');
    const map = page.frameLocator('iframe[src*="/embed/backend"]');
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    await expect.poll(async () => (await received(page)).some((m) => m.type === "ready")).toBe(true);
    const ready = (await received(page)).find((m) => m.type === "ready");
    await expect.poll(() => frame.evaluate((el) => (el as HTMLElement).style.height)).toBe(`${Math.ceil(ready.height)}px`);
    await map.getByRole("button", { name: "Zoom in" }).click();
    await expect(map.locator(".zoom-level")).toHaveText("150%");
    expect(errors).toEqual([]);
  } finally {
    await host.close();
  }
});


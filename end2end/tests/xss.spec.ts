import { expect, Page, test } from "@playwright/test";
import path from "node:path";
import { OwnServer, root, startOwnServer } from "../support/own-server";

// The XSS corpus in a real browser: a second server, started from the same release binary,
// serves the roadmap in fixtures/xss, whose every authored field carries a payload that sets
// `window.__xss` (or calls alert) if it ever runs. The page is hydrated, every topic opened,
// searched for and embedded; nothing may run, and the page's CSP must never have had to
// block anything (a violation would mean a payload reached the DOM as markup).
// The same corpus is checked on the HTML by server/tests/api/xss.rs.

let corpus: OwnServer;

test.beforeAll(async () => {
  corpus = await startOwnServer(path.join(root, "end2end", "fixtures", "xss"));
});

test.afterAll(async () => {
  corpus?.stop();
});

/** Records, from before any page script runs, every CSP violation and every dialog. */
async function watch(page: Page): Promise<{ dialogs: string[] }> {
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as any).__violations.push(`${event.violatedDirective}: ${event.sample || event.blockedURI}`);
    });
  });
  return { dialogs };
}

async function assertNothingRan(page: Page, dialogs: string[]) {
  const state = await page.evaluate(() => ({
    xss: (window as any).__xss ?? null,
    parentXss: (window.parent as any).__xss ?? null,
    violations: (window as any).__violations as string[],
    injected: document.querySelectorAll("img[src='x'], iframe[srcdoc], [onerror], [onload], a[href^='javascript:' i]")
      .length,
  }));
  expect(state).toEqual({ xss: null, parentXss: null, violations: [], injected: 0 });
  expect(dialogs).toEqual([]);
}

test("no authored payload runs in the hydrated map: cards, panel, outline, search", async ({ page }) => {
  const { dialogs } = await watch(page);
  await page.goto(`${corpus.origin}/roadmaps/xss`);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();

  // The title is shown as text, by the server and again by the browser.
  await expect(page).toHaveTitle(/<\/title><script>window.__xss='title-breakout'<\/script> corpus roadmap/);
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("button", { name: "Expand all" }).click();
  await expect(page.locator("#node-payload-topic")).toContainText(`Topic "><img src=x onerror=`);

  for (const id of ["payload-stage", "payload-topic", "payload-second"]) {
    await page.locator(`#node-${id}`).scrollIntoViewIfNeeded();
    await page.locator(`#node-${id}`).click();
    const panel = page.getByRole("complementary");
    await expect(panel).toBeVisible();
    if (id === "payload-topic") {
      await expect(panel).toContainText("Raw HTML must show as text: <script>window.__xss='text-script'</script>");
      // Script URLs lose their link; the safe one keeps it.
      await expect(panel.getByRole("link", { name: "click me" })).toHaveCount(0);
      await expect(panel).toContainText("click me");
    }
    await assertNothingRan(page, dialogs);
  }

  const search = page.getByRole("combobox", { name: "Search topics" });
  for (const query of ["<script>", "onerror=", "\"><img src=x onerror=alert(1)>", "__xss"]) {
    await search.fill(query);
    await page.waitForTimeout(100);
    await assertNothingRan(page, dialogs);
  }
  await search.fill("topic");
  await expect(page.getByRole("option").first()).toContainText("<img src=x");
  await search.press("Enter");
  await assertNothingRan(page, dialogs);

  await page.getByRole("button", { name: "Outline" }).click();
  await expect(page.getByRole("navigation", { name: /outline/ })).toContainText("</textarea><script>");
  await assertNothingRan(page, dialogs);
});

test("no payload runs in the embed, from authored text or from hostile options and messages", async ({ page }) => {
  const { dialogs } = await watch(page);
  await page.goto(`${corpus.origin}/embed/xss?node=payload-topic`);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.getByRole("complementary")).toContainText("<img src=x onerror=");
  // A parent's message naming a hostile node or theme is ignored or escaped.
  await page.evaluate(() => {
    window.postMessage({ source: "trailmap-host", type: "focus-node", node: "\"><img src=x onerror=alert(1)>" }, "*");
    window.postMessage({ source: "trailmap-host", type: "set-theme", theme: "<script>alert(1)</script>" }, "*");
  });
  await page.waitForTimeout(200);
  await assertNothingRan(page, dialogs);

  const response = await page.goto(
    `${corpus.origin}/embed/xss?theme=${encodeURIComponent("<script>alert(1)</script>")}&node=${encodeURIComponent(
      "\"><img src=x onerror=alert(1)>",
    )}`,
  );
  expect(response?.status()).toBe(400);
  await expect(page.locator("body")).toContainText("<script>alert(1)</script>");
  await assertNothingRan(page, dialogs);
});

test("the SVG export shows the payloads as text and runs none of them", async ({ page }) => {
  const { dialogs } = await watch(page);
  await page.goto(`${corpus.origin}/roadmaps/xss.svg`);
  await expect(page.locator("svg")).toContainText("window.__xss");
  const state = await page.evaluate(() => ({
    xss: (window as any).__xss ?? null,
    scripts: document.querySelectorAll("script, foreignObject").length,
  }));
  expect(state).toEqual({ xss: null, scripts: 0 });
  expect(dialogs).toEqual([]);
});

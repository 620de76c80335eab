import { expect, Page, test } from "@playwright/test";

// A topic's text is not in the map page: it is fetched when the topic opens (and prefetched
// when a card is hovered or focused, or a search hit highlighted). Every way of opening a
// topic shows its text; an offline reload of an opened roadmap opens any of its topics.

async function openMap(page: Page, path = "/roadmaps/backend") {
  await page.goto(path);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.locator(".map-viewport").scrollIntoViewIfNeeded();
}

const DNS_TEXT = /The Domain Name System translates human-friendly names/;
const POSTGRES_TEXT = /PostgreSQL is an open-source, standards-compliant relational database/;
const BACKEND_TEXT = /Backend developers build the server-side part of an application/;
const CLIENT_SERVER_TEXT = /sends a request, and a server that is listening on a known address/;

function topicText(page: Page, name: string | RegExp) {
  return page.getByRole("complementary", { name }).locator(".topic-text");
}

test("the map page carries no topic text until a topic opens", async ({ page }) => {
  const response = await page.request.get("/roadmaps/backend");
  const html = await response.text();
  expect(html).toContain("Web fundamentals &amp; HTTP");
  expect(html).not.toMatch(DNS_TEXT);
  expect(html).not.toMatch(POSTGRES_TEXT);
});

test("clicking a topic on the map fetches and shows its text", async ({ page }) => {
  await openMap(page);
  const fetched: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/topics/")) fetched.push(new URL(request.url()).pathname);
  });
  await page.getByRole("link", { name: "DNS", exact: true }).click();
  await expect(topicText(page, "DNS")).toContainText(DNS_TEXT);
  await expect(page.getByRole("complementary", { name: "DNS" }).getByText("Official").first()).toBeVisible();
  expect(fetched).toContain("/api/roadmaps/backend/topics/dns");
});

test("hovering a card fetches its text before it is opened", async ({ page }) => {
  await openMap(page);
  const prefetched = page.waitForResponse((response) =>
    response.url().includes("/api/roadmaps/backend/topics/dns"),
  );
  await page.locator("#node-dns").hover();
  expect((await prefetched).status()).toBe(200);
  await page.getByRole("link", { name: "DNS", exact: true }).click();
  await expect(topicText(page, "DNS")).toContainText(DNS_TEXT);
});

test("a deep link shows the topic's text from the first paint", async ({ page }) => {
  const topicRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/topics/")) topicRequests.push(request.url());
  });
  await openMap(page, "/roadmaps/backend?node=postgresql");
  await expect(topicText(page, "PostgreSQL")).toContainText(POSTGRES_TEXT);
  // The server rendered it and the page carried it: no fetch for the topic it opened with.
  expect(topicRequests.filter((url) => url.includes("/topics/postgresql"))).toEqual([]);
});

test("a topic chosen in search shows its text", async ({ page }) => {
  await openMap(page);
  const search = page.getByRole("combobox", { name: "Search topics" });
  await search.fill("postgres");
  await expect(page.getByRole("option").first()).toContainText("PostgreSQL");
  await search.press("Enter");
  await expect(topicText(page, "PostgreSQL")).toContainText(POSTGRES_TEXT);
});

test("search finds words that are only in a topic's text", async ({ page }) => {
  await openMap(page);
  const search = page.getByRole("combobox", { name: "Search topics" });
  const index = page.waitForResponse((response) => response.url().includes("/search-words"));
  await search.focus();
  expect((await index).status()).toBe(200);
  // "authoritative" appears in the DNS topic's text, in no title or alias.
  await search.fill("authoritative");
  await expect(page.getByRole("option", { name: /DNS/ })).toBeVisible();
});

test("next topic shows the next topic's text", async ({ page }) => {
  await openMap(page);
  await page.getByRole("button", { name: "Next topic" }).click();
  await expect(page).toHaveURL(/node=what-is-backend/);
  await expect(topicText(page, "What backend development is")).toContainText(BACKEND_TEXT);
  // Skipping it, the next one opens with its text too.
  await page.getByRole("complementary").getByRole("button", { name: "Skipped" }).click();
  await page.getByRole("button", { name: "Next topic" }).click();
  await expect(page).toHaveURL(/node=client-server/);
  await expect(topicText(page, "The client-server model")).toContainText(CLIENT_SERVER_TEXT);
});

test("an offline reload of an opened roadmap opens a topic it never opened online", async ({
  page,
  context,
}) => {
  await openMap(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The worker fetches every topic of a roadmap it saw opened, in the background, and keeps
  // them as one entry (not one per topic): Helm was never opened, so it is only in there.
  const cachedUrls = () =>
    page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) {
          urls.push(new URL(request.url).pathname);
        }
      }
      return urls;
    });
  await expect.poll(cachedUrls, { timeout: 20_000 }).toContain("/api/roadmaps/backend/topics");
  expect(await cachedUrls()).not.toContain("/api/roadmaps/backend/topics/helm");

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const search = page.getByRole("combobox", { name: "Search topics" });
  await search.fill("helm");
  await page.getByRole("option").filter({ hasText: "Helm" }).first().click();
  await expect(page).toHaveURL(/node=helm/);
  await expect(topicText(page, "Helm")).toContainText(/Helm/);
  await expect(topicText(page, "Helm").locator("p").first()).not.toBeEmpty();
  await context.setOffline(false);
});

import { expect, Page, test } from "@playwright/test";
import http from "node:http";
import { AddressInfo } from "node:net";
import { dragIntoView, panZoomExpand } from "./cross-site";

// The embed (/embed/{slug}) inside a page of another origin: a tiny host site served from a
// second loopback port, whose iframe points at the app under test.

type Host = { url: string; close: () => Promise<void> };

/** Serves `html` at / on 127.0.0.1, on a free port. */
async function startHost(html: string): Promise<Host> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A host page with one iframe at `src`, embed.js, and a log of the messages it receives. */
function hostPage(appOrigin: string, src: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Host page</title></head>
<body>
  <h1>A blog post about backends</h1>
  <iframe id="map" title="Backend roadmap" src="${appOrigin}${src}" width="320" height="300"></iframe>
  <script>
    window.received = [];
    window.addEventListener("message", (event) => {
      if (event.data && event.data.source === "trailmap") window.received.push(event.data);
    });
  </script>
  <script src="${appOrigin}/embed.js"></script>
</body>
</html>`;
}

async function openHost(page: Page, baseURL: string | undefined, src: string): Promise<Host> {
  const appOrigin = new URL(baseURL ?? "http://127.0.0.1:3000").origin;
  const host = await startHost(hostPage(appOrigin, src));
  await page.goto(host.url);
  return host;
}

const received = (page: Page) => page.evaluate(() => (window as any).received as any[]);

test("a page of another origin embeds the map, which hydrates and can be panned, zoomed and expanded", async ({
  page,
  baseURL,
}) => {
  const host = await openHost(page, baseURL, "/embed/backend?height=400");
  try {
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    await expect(map.getByRole("treeitem", { name: /Web fundamentals/ })).toBeVisible();
    await expect(map.getByRole("link", { name: "Open in Trailmap" })).toHaveAttribute("target", "_blank");

    await panZoomExpand(page, map);
  } finally {
    await host.close();
  }
});

test("the host receives ready and node-selected messages, and embed.js resizes the iframe", async ({
  page,
  baseURL,
}) => {
  const host = await openHost(page, baseURL, "/embed/backend?height=420");
  try {
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();

    await expect.poll(async () => (await received(page)).some((m) => m.type === "ready")).toBe(true);
    const ready = (await received(page)).find((m) => m.type === "ready");
    expect(ready.height).toBeGreaterThanOrEqual(400);
    // The iframe was 300px tall; embed.js set it to the reported height.
    await expect
      // The iframe's content box (its border is not part of the height it was given).
      .poll(() => page.locator("#map").evaluate((el) => (el as HTMLElement).clientHeight))
      .toBe(Math.ceil(ready.height));

    const dns = map.getByRole("link", { name: "DNS", exact: true });
    await dragIntoView(page, map, dns);
    await dns.click();
    await expect(map.getByRole("complementary", { name: "DNS" })).toBeVisible();
    await expect
      .poll(async () => (await received(page)).find((m) => m.type === "node-selected"))
      .toEqual({ source: "trailmap", type: "node-selected", node: "dns", title: "DNS" });
  } finally {
    await host.close();
  }
});

test("marking a topic inside the embed works, persists, and the host hears the counts", async ({
  page,
  baseURL,
}) => {
  const host = await openHost(page, baseURL, "/embed/backend");
  try {
    let map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    await expect(map.locator(".embed-progress")).toContainText(/^0 of \d+ settled/);
    await map.locator("#node-what-is-backend").focus();
    await page.keyboard.press("d");
    await expect(map.locator("#node-what-is-backend")).toHaveClass(/status-done/);
    await expect(map.locator(".embed-progress")).toContainText(/^1 of \d+ settled/);
    await expect
      .poll(async () => (await received(page)).some((m) => m.type === "progress" && m.done === 1))
      .toBe(true);
    const progress = (await received(page)).find((m) => m.type === "progress" && m.done === 1);
    expect(Object.keys(progress).sort()).toEqual(["done", "percent", "source", "total", "type"]);

    await page.reload();
    map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    await expect(map.locator("#node-what-is-backend")).toHaveClass(/status-done/);
  } finally {
    await host.close();
  }
});

test("search works inside the embed", async ({ page, baseURL }) => {
  const host = await openHost(page, baseURL, "/embed/backend");
  try {
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    const search = map.getByRole("combobox", { name: "Search topics" });
    await search.fill("postgres");
    await search.press("Enter");
    await expect(map.getByRole("complementary", { name: "PostgreSQL" })).toBeVisible();
  } finally {
    await host.close();
  }
});

test("a read-only embed shows statuses but offers no way to change them", async ({ page, baseURL }) => {
  const host = await openHost(page, baseURL, "/embed/backend?readonly=1&node=dns");
  try {
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    await expect(map.getByRole("complementary", { name: "DNS" })).toBeVisible();
    await expect(map.getByRole("group", { name: "Your status" })).toHaveCount(0);
    await expect(map.locator(".done-box")).toHaveCount(0);
    await map.locator("#node-dns").focus();
    await page.keyboard.press("d");
    await expect(map.locator("#node-dns")).not.toHaveClass(/status-done/);
  } finally {
    await host.close();
  }
});

test("the host can focus a topic and switch the theme; malformed messages are ignored", async ({
  page,
  baseURL,
}) => {
  const host = await openHost(page, baseURL, "/embed/backend?theme=light");
  try {
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    const post = (message: unknown) =>
      page.evaluate((data) => {
        const frame = document.getElementById("map") as HTMLIFrameElement;
        frame.contentWindow!.postMessage(data, "*");
      }, message);

    await post("focus-node");
    await post({ source: "someone-else", type: "set-theme", theme: "dark" });
    await post({ source: "trailmap-host", type: "set-theme", theme: "pink" });
    await expect(map.locator(".embed-page")).toHaveAttribute("data-theme", "light");

    await post({ source: "trailmap-host", type: "set-theme", theme: "dark" });
    await expect(map.locator(".embed-page")).toHaveAttribute("data-theme", "dark");

    await post({ source: "trailmap-host", type: "focus-node", node: "postgresql" });
    await expect(map.getByRole("complementary", { name: "PostgreSQL" })).toBeVisible();
  } finally {
    await host.close();
  }
});

test("the embed fits a 320px wide frame without horizontal scrolling", async ({ page, baseURL }) => {
  const host = await openHost(page, baseURL, "/embed/backend");
  try {
    const map = page.frameLocator("#map");
    await expect(map.locator("main[data-hydrated=true]")).toBeAttached();
    const overflow = await map
      .locator("html")
      .evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  } finally {
    await host.close();
  }
});

test("the map page itself refuses to be framed", async ({ page, baseURL }) => {
  const appOrigin = new URL(baseURL ?? "http://127.0.0.1:3000").origin;
  const host = await startHost(`<!DOCTYPE html><html lang="en"><head><title>Framer</title></head><body>
    <iframe id="page" title="Map page" src="${appOrigin}/roadmaps/backend"></iframe>
    <iframe id="embed" title="Embed" src="${appOrigin}/embed/backend"></iframe>
  </body></html>`);
  try {
    const response = page.waitForResponse((r) => r.url() === `${appOrigin}/roadmaps/backend`);
    await page.goto(host.url);
    const csp = (await (await response).allHeaders())["content-security-policy"];
    expect(csp).toContain("frame-ancestors 'none'");

    // The embed beside it loads, so the host page works; the map page stays empty.
    await expect(page.frameLocator("#embed").locator("main")).toBeAttached();
    await expect(page.frameLocator("#page").locator("main")).toHaveCount(0);
  } finally {
    await host.close();
  }
});

test("the Embed dialog builds a snippet from the chosen options, with a preview", async ({ page }) => {
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();

  // A rarely used action: in the map page's More menu.
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("button", { name: "Embed…" }).click();
  const dialog = page.getByRole("dialog", { name: "Embed this roadmap" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Theme").selectOption("dark");
  await dialog.getByLabel("Height (px)").fill("480");
  await dialog.getByLabel("Height (px)").press("Tab");
  await dialog.getByLabel("Levels shown").selectOption("2");
  await dialog.getByLabel("Show progress").uncheck();

  const snippet = dialog.getByLabel("Snippet");
  await expect(snippet).toHaveValue(
    /<iframe src="http:\/\/[^"]+\/embed\/backend\?theme=dark&amp;expand=2&amp;height=480&amp;progress=0"/,
  );
  await expect(dialog.frameLocator("iframe").locator(".embed-page")).toHaveAttribute("data-theme", "dark");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
});

/** Opens the map page's Embed dialog from its More menu. */
async function openEmbedDialog(page: Page) {
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("button", { name: "Embed…" }).click();
  return page.getByRole("dialog", { name: "Embed this roadmap" });
}

test("the Embed dialog's form is a chunk of its own, fetched when the dialog first opens", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) wasm.push(path);
  });
  await page.goto("/roadmaps/backend");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  expect(wasm).toHaveLength(1);
  const build = wasm[0].split(".")[1];
  // The page's chunks (the dialog's preview is an embed page, which loads the main wasm).
  const chunks = () => wasm.filter((path) => !path.startsWith("/pkg/trailmap."));

  const dialog = await openEmbedDialog(page);
  await expect(dialog).toBeVisible();
  // The dialog opens on its first control, once the form has come.
  await expect(dialog.getByLabel("Theme")).toBeFocused();
  const fetched = chunks();
  expect(fetched.filter((path) => path.startsWith("/pkg/split_embed_form."))).toHaveLength(1);
  for (const path of fetched) {
    expect(path).toMatch(new RegExp(`^/pkg/[a-z_0-9]+\\.${build}\\.wasm$`));
  }
  await dialog.getByLabel("Theme").selectOption("light");
  await expect(dialog.getByLabel("Snippet")).toHaveValue(/theme=light/);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();

  // Opened again: no new fetch, and the choices are kept.
  await openEmbedDialog(page);
  await expect(dialog.getByLabel("Snippet")).toHaveValue(/theme=light/);
  expect(chunks()).toEqual(fetched);
});

test.describe("without a service worker", () => {
  // The worker, once it controls the page, answers the chunk from its precache: the page's
  // own route could then not refuse it.
  test.use({ serviceWorkers: "block" });

  test("the Embed dialog's Try again fetches the form once the connection is back", async ({ page }) => {
    const chunk = /\/pkg\/split_embed_form\.[0-9a-f]{16}\.wasm$/;
    await page.route(chunk, (route) => route.abort("internetdisconnected"));
    await page.goto("/roadmaps/backend");
    await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
    const dialog = await openEmbedDialog(page);
    await expect(dialog.getByRole("alert")).toBeVisible();
    await page.unroute(chunk);
    await dialog.getByRole("button", { name: "Try again" }).click();
    await expect(dialog.getByLabel("Snippet")).toHaveValue(/<iframe src=/);
    await expect(dialog.getByRole("alert")).toHaveCount(0);
    await expect(dialog).toBeVisible();
  });

  test("the Embed dialog says so when its form cannot be fetched, and gets it on a later try", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const chunk = /\/pkg\/split_embed_form\.[0-9a-f]{16}\.wasm$/;
    await page.route(chunk, (route) => route.abort("internetdisconnected"));
    await page.goto("/roadmaps/backend");
    await expect(page.locator("main[data-hydrated=true]")).toBeAttached();

    const dialog = await openEmbedDialog(page);
    await expect(dialog.getByRole("alert")).toHaveText(
      "The embed options could not be downloaded (check the connection).",
    );
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toBeHidden();
    // The client did not abort: the map still opens topics.
    await page.getByRole("link", { name: "DNS", exact: true }).click();
    await expect(page.getByRole("complementary", { name: "DNS" })).toBeVisible();

    // Back online: the next open fetches the form; so does "Try again" in the dialog.
    await page.unroute(chunk);
    await openEmbedDialog(page);
    await expect(dialog.getByLabel("Snippet")).toHaveValue(/<iframe src=/);
    await expect(dialog.getByRole("alert")).toHaveCount(0);
    // As for the notes' chunk: the loader's refused fetch is reported once before it is handled.
    expect(errors.filter((message) => message !== "Failed to fetch")).toEqual([]);
  });
});

import { APIRequestContext, expect, Page, test } from "@playwright/test";

// Personal notes: written in the topic panel, rendered as sanitized Markdown, marked on the
// card and the outline, kept in localStorage, exported, hidden in embeds, limited in length,
// and synced to a signed-in learner's other browser.

const STORAGE_KEY = "trailmap.progress.backend";
const PASSWORD = "correct horse battery staple";

async function openMap(page: Page, path = "/roadmaps/backend") {
  await page.goto(path);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.locator(".progress-text")).toBeVisible();
}

const panelOf = (page: Page) => page.getByRole("complementary", { name: "The client-server model" });
const noteField = (page: Page) => panelOf(page).getByLabel("Write a private note (Markdown)");

async function writeNote(page: Page, text: string) {
  await noteField(page).fill(text);
  await panelOf(page).getByRole("button", { name: "Save note" }).click();
}

function newUsername(): string {
  return `n${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

async function authThroughApi(request: APIRequestContext, path: string, username: string) {
  const csrf = await (await request.get("/api/auth/csrf")).json();
  const response = await request.post(path, {
    headers: { "X-CSRF-Token": csrf.token },
    data: { username, password: PASSWORD },
  });
  expect(response.ok()).toBeTruthy();
}

test("a note renders as sanitized Markdown, marks the card, survives a reload and is exported", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await openMap(page, "/roadmaps/backend?node=client-server");
  const card = page.locator("#node-client-server");
  await expect(card.getByRole("img", { name: "Has a note" })).toHaveCount(0);

  await writeNote(
    page,
    "**Remember** the [RFC](https://www.rfc-editor.org/rfc/rfc9110) <script>alert('x')</script> [bad](javascript:alert(1))",
  );

  const panel = panelOf(page);
  await expect(panel.getByRole("status")).toHaveText("Note saved.");
  const preview = panel.getByRole("region", { name: "Your saved note" });
  await expect(preview.locator("strong")).toHaveText("Remember");
  const link = preview.getByRole("link", { name: "RFC" });
  await expect(link).toHaveAttribute("href", "https://www.rfc-editor.org/rfc/rfc9110");
  await expect(link).toHaveAttribute("rel", "nofollow noopener ugc");
  // Raw HTML is shown as text, never run; a javascript: link is only its text.
  await expect(preview).toContainText("<script>alert('x')</script>");
  await expect(preview.locator("script")).toHaveCount(0);
  await expect(preview.getByRole("link", { name: "bad" })).toHaveCount(0);
  expect(dialogs).toEqual([]);
  await expect(card.getByRole("img", { name: "Has a note" })).toBeVisible();

  // Setting a status leaves the note alone.
  await panel.getByRole("button", { name: "Done" }).click();
  await expect(card).toHaveClass(/status-done/);
  await expect(preview.locator("strong")).toHaveText("Remember");

  await page.reload();
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await expect(page.locator("#node-client-server").getByRole("img", { name: "Has a note" })).toBeVisible();
  await expect(panelOf(page).getByRole("region", { name: "Your saved note" }).locator("strong")).toHaveText(
    "Remember",
  );
  await expect(noteField(page)).toHaveValue(/^\*\*Remember\*\*/);
  const stored = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY))!);
  expect(stored.log.notes["client-server"].text).toContain("**Remember**");
  expect(stored.log.entries["client-server"].status).toBe("done");

  // The outline marks it too.
  await page.getByRole("group", { name: "View" }).getByRole("button", { name: "Outline" }).click();
  await expect(page.locator("#outline-client-server").getByRole("img", { name: "Has a note" })).toBeVisible();

  // Export lives in the progress details, which the progress chip opens.
  await page.getByRole("button", { name: /topics settled/ }).click();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export progress" }).click();
  const file = await download;
  const text = Buffer.concat(await (await file.createReadStream()).toArray()).toString("utf8");
  const exported = JSON.parse(text);
  expect(exported.notes["client-server"].text).toContain("<script>alert('x')</script>");
  expect(exported.entries["client-server"].status).toBe("done");
});

test("the notes' Markdown renderer is a chunk of its own, fetched when a note is first shown", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) wasm.push(path);
  });
  await openMap(page, "/roadmaps/backend?node=client-server");
  // The map's own wasm only.
  expect(wasm).toHaveLength(1);
  expect(wasm[0]).toMatch(/^\/pkg\/trailmap\.[0-9a-f]{16}\.wasm$/);

  await writeNote(page, "A *first* note");
  await expect(panelOf(page).getByRole("region", { name: "Your saved note" }).locator("em")).toHaveText("first");
  // The chunk came from the loader, under this build's hash (with any small chunk of code it
  // shares with another part).
  const build = wasm[0].split(".")[1];
  const chunks = wasm.slice(1);
  expect(chunks.filter((path) => path.startsWith("/pkg/split_notes."))).toHaveLength(1);
  for (const path of chunks) {
    expect(path).toMatch(new RegExp(`^/pkg/[a-z_0-9]+\\.${build}\\.wasm$`));
  }

  // Loaded once: a second note renders with no new fetch.
  await writeNote(page, "A **second** note");
  await expect(panelOf(page).getByRole("region", { name: "Your saved note" }).locator("strong")).toHaveText("second");
  expect(wasm).toHaveLength(1 + chunks.length);
});

test.describe("without a service worker", () => {
  // The worker, once it controls the page, answers the chunk from its precache: the page's
  // own route could then not refuse it.
  test.use({ serviceWorkers: "block" });

  test("a note shows as plain text when its renderer cannot be fetched, and the app goes on", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.route(/\/pkg\/split_notes\.[0-9a-f]{16}\.wasm$/, (route) => route.abort("internetdisconnected"));
    await openMap(page, "/roadmaps/backend?node=client-server");

    await writeNote(page, "Plain *text* <b>kept</b>");
    const preview = panelOf(page).getByRole("region", { name: "Your saved note" });
    await expect(preview).toHaveText("Plain *text* <b>kept</b>");
    await expect(preview.locator("em, b")).toHaveCount(0);
    // The client did not abort: the map still takes marks.
    await panelOf(page).getByRole("button", { name: "Done" }).click();
    await expect(page.locator("#node-client-server")).toHaveClass(/status-done/);
    // The split loader starts the chunk's fetch before it awaits the chunks it shares code with,
    // so the browser reports the refused fetch as an unhandled rejection a moment before the
    // loader handles it; anything else (a wasm abort: "unreachable") would fail here.
    expect(errors.filter((message) => message !== "Failed to fetch")).toEqual([]);
  });
});

test("a note over 2,000 characters is refused with a clear message; a blank one deletes", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=client-server");
  const panel = panelOf(page);
  await writeNote(page, "short note");
  await expect(panel.getByRole("status")).toHaveText("Note saved.");

  await noteField(page).fill("x".repeat(2_005));
  await expect(panel.locator("#note-count")).toHaveText("2005 / 2000 characters — 5 too many");
  await expect(noteField(page)).toHaveAttribute("aria-invalid", "true");
  await panel.getByRole("button", { name: "Save note" }).click();
  await expect(panel.getByRole("status")).toContainText(
    "Not saved: the note is 2,005 characters long; at most 2,000 are allowed",
  );
  // The saved note is unchanged.
  await expect(panel.getByRole("region", { name: "Your saved note" })).toHaveText("short note");

  await noteField(page).fill("   ");
  await panel.getByRole("button", { name: "Save note" }).click();
  await expect(panel.getByRole("status")).toHaveText("Note deleted.");
  await expect(panel.getByRole("region", { name: "Your saved note" })).toHaveCount(0);
  await expect(page.locator("#node-client-server").getByRole("img", { name: "Has a note" })).toHaveCount(0);
});

test("embeds never show notes", async ({ page }) => {
  await openMap(page, "/roadmaps/backend?node=client-server");
  await writeNote(page, "private");
  await expect(page.locator("#node-client-server").getByRole("img", { name: "Has a note" })).toBeVisible();

  await page.goto("/embed/backend?node=client-server");
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const panel = page.getByRole("complementary", { name: "The client-server model" });
  await expect(panel).toBeVisible();
  // Progress works in the embed (its status buttons show), but notes are not there.
  await expect(panel.getByRole("button", { name: "Done" })).toBeVisible();
  await expect(page.getByLabel("Write a private note (Markdown)")).toHaveCount(0);
  await expect(page.getByRole("img", { name: "Has a note" })).toHaveCount(0);
});

test("a signed-in learner's note reaches their other browser", async ({ browser }) => {
  const username = newUsername();
  const first = await browser.newContext();
  const page = await first.newPage();
  await authThroughApi(page.request, "/api/auth/signup", username);
  await openMap(page, "/roadmaps/backend?node=client-server");
  await expect(page.locator(".sync-status")).toHaveAttribute("data-state", "synced");
  await writeNote(page, "Synced *everywhere*");
  await expect(page.locator(".sync-status")).toHaveAttribute("data-state", "synced");

  const second = await browser.newContext();
  const other = await second.newPage();
  await authThroughApi(other.request, "/api/auth/signin", username);
  await openMap(other, "/roadmaps/backend?node=client-server");
  await expect(other.locator(".sync-status")).toHaveAttribute("data-state", "synced");
  await expect(other.locator("#node-client-server").getByRole("img", { name: "Has a note" })).toBeVisible();
  await expect(panelOf(other).getByRole("region", { name: "Your saved note" }).locator("em")).toHaveText(
    "everywhere",
  );
  await first.close();
  await second.close();
});

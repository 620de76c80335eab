import { expect, test } from "@playwright/test";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { OwnServer, startOwnServer } from "../support/own-server";

// A large roadmap (over the 400 nodes past which the map renders only the cards near the
// screen), served by its own server. Zoomed out to the overview, its topics are drawn as one
// path per status instead of a card each: zooming out never creates a card per topic.

const STAGES = 12;
const TOPICS = 30;

let server: OwnServer;
let roadmaps: string;

test.beforeAll(async () => {
  roadmaps = mkdtempSync(path.join(tmpdir(), "trailmap-large-"));
  const dir = path.join(roadmaps, "large");
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, "roadmap.md"),
    "title: Large\nsummary: A generated roadmap.\nlevel: beginner\nestimate: 1 week\n\n" +
      "Generated stages of generated topics.\n",
  );
  for (let s = 1; s <= STAGES; s++) {
    let text = `## Stage ${s}\nid: stage-${s}\n\nA generated stage.\n\n`;
    for (let t = 1; t <= TOPICS; t++) {
      text += `## Topic ${s}.${t}\nid: t-${s}-${t}\nparent: stage-${s}\n\nA generated topic.\n\n`;
      text += `## Detail ${s}.${t}\nid: d-${s}-${t}\nparent: t-${s}-${t}\n\nA detail.\n\n`;
    }
    writeFileSync(path.join(dir, `${String(s).padStart(2, "0")}.md`), text);
  }
  server = await startOwnServer(roadmaps);
});

test.afterAll(async () => {
  server?.stop();
  if (roadmaps) rmSync(roadmaps, { recursive: true, force: true });
});

test("a large map's overview draws its topics as status paths, not cards", async ({ page }) => {
  await page.goto(`${server.origin}/roadmaps/large`);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("button", { name: "Expand all" }).click();
  // Zoomed in, topics are cards, and only those near the screen.
  const topicCards = page.locator(".node-card:not(.stage)");
  await expect(topicCards.first()).toBeVisible();
  const nearScreen = await topicCards.count();
  expect(nearScreen).toBeLessThan(STAGES * TOPICS * 2);
  // Mark one topic done.
  const first = topicCards.first();
  const id = (await first.getAttribute("id"))!.slice(5);
  await first.locator(".done-box").check();
  await expect(page.locator(`#node-${id}.status-done`)).toBeAttached();
  await expect(page.locator(".map-marks")).toHaveCount(0);

  await page.getByRole("button", { name: "Fit" }).click();

  // The overview: stage cards only, every topic (and detail) one rectangle in its status path.
  await expect(page.locator(".map-marks")).toHaveCount(1);
  await expect(topicCards).toHaveCount(0);
  await expect(page.locator(".node-card.stage")).toHaveCount(STAGES);
  const rects = async (status: string) =>
    ((await page.locator(`.map-marks .mark-${status}`).getAttribute("d")) ?? "").split("M")
      .length - 1;
  expect(await rects("done")).toBe(1);
  expect(await rects("pending")).toBe(STAGES * TOPICS * 2 - 1);
  expect(await rects("in_progress")).toBe(0);
  await expect(page.locator(".landmark").first()).toBeVisible();
  mkdirSync("screenshots", { recursive: true });
  await page.screenshot({ path: "screenshots/large-map-overview.png" });

  // Back in: cards again, the marked one among them, and no paths.
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(page.locator(".map-marks")).toHaveCount(0);
  await expect(topicCards.first()).toBeVisible();
  await expect(page.locator(`#node-${id}.status-done`)).toBeAttached();
  // Cards a move brings in on a culled map appear at once: a fade on each of them broke the
  // canvas's compositor layer apart in every frame of a pan.
  await expect(page.locator(".node-card.fresh")).toHaveCount(0);
  expect(await topicCards.first().evaluate((el) => getComputedStyle(el).animationName)).toBe("none");
});

test("an embed that shows no progress draws its overview marks as pending", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(`${server.origin}/embed/large?progress=0&expand=all`);
  await expect(page.locator("main[data-hydrated=true]")).toBeAttached();
  const map = page.locator(".map-viewport");
  const box = (await map.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let step = 0; step < 20; step++) await page.mouse.wheel(0, 200);

  await expect(page.locator(".map-marks")).toHaveCount(1);
  await expect(page.locator(".node-card:not(.stage)")).toHaveCount(0);
  expect(
    ((await page.locator(".map-marks .mark-pending").getAttribute("d")) ?? "").split("M").length - 1,
  ).toBe(STAGES * TOPICS * 2);
  expect(errors).toEqual([]);
});

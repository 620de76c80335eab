import { defineConfig } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";

// Debian's Chromium (apt), never a downloaded browser. The flags (chromium.json, shared with
// bench/browser.mjs and .ci/lighthouse) keep it off the network: this machine's network is
// closed, and Chromium's background services would flood it.
const launch = JSON.parse(readFileSync(path.join(__dirname, "chromium.json"), "utf8"));
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? launch.executablePath,
  args: launch.args as string[],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  // The whole suite normally takes about 10 minutes; past 45 it is stuck, and fails instead of
  // holding CI until its own limit (as the Rust test steps in .ci/test do).
  globalTimeout: 45 * 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    launchOptions: chromium,
    trace: "retain-on-failure",
  },
  projects: [
    // Every spec runs with JavaScript on: the hydrated app.
    { name: "hydrate", use: { javaScriptEnabled: true } },
    // Specs named *.ssr.spec.ts run again with JavaScript off: the server-rendered HTML alone.
    { name: "ssr", testMatch: /.*\.ssr\.spec\.ts/, use: { javaScriptEnabled: false } },
  ],
});

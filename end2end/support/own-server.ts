import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

// A second server for specs that need their own roadmaps: started from the same release
// binary and site as the suite's, on a free port, with a fresh SQLite file.

const root = path.resolve(__dirname, "..", "..");
const serverBinary =
  process.env.TRAILMAP_SERVER_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "release", "server");
const siteRoot = process.env.LEPTOS_SITE_ROOT
  ? path.resolve(root, process.env.LEPTOS_SITE_ROOT)
  : path.join(root, "target", "site");

export type OwnServer = { origin: string; stop: () => void };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a server on the roadmaps in `roadmaps`; waits until it answers. */
export async function startOwnServer(roadmaps: string): Promise<OwnServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "trailmap-own-"));
  const child: ChildProcess = spawn(
    serverBinary,
    [
      "--addr",
      `127.0.0.1:${port}`,
      "--roadmaps",
      roadmaps,
      "--site-root",
      siteRoot,
      "--database-url",
      `sqlite://${dataDir}/trailmap.db?mode=rwc`,
    ],
    { stdio: "ignore" },
  );
  const origin = `http://127.0.0.1:${port}`;
  const stop = () => {
    child.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Up to 30 s: on a loaded 2-core machine the release server takes 8 s or more to start.
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return { origin, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`the server (${serverBinary}) did not start on ${origin}`);
}

export { root };

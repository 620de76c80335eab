import { APIRequestContext, expect } from "@playwright/test";
import http from "node:http";
import { AddressInfo } from "node:net";

// Helpers several specs share: accounts made through the API, and a host page of another
// origin (a second loopback port) for embeds.

export const PASSWORD = "correct horse battery staple";

export function newUsername(): string {
  return `u${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Creates the account through the API, as the page does: CSRF token first. */
export async function signUpThroughApi(request: APIRequestContext, username: string) {
  const csrf = await (await request.get("/api/auth/csrf")).json();
  const response = await request.post("/api/auth/signup", {
    headers: { "X-CSRF-Token": csrf.token },
    data: { username, password: PASSWORD },
  });
  expect(response.status()).toBe(201);
}

export type Host = { url: string; close: () => Promise<void> };

/** Serves `html` at / on 127.0.0.1, on a free port. */
export async function startHost(html: string): Promise<Host> {
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

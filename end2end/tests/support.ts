import { APIRequestContext, expect } from "@playwright/test";

// Helpers several specs share: accounts made through the API (host pages for embeds are in
// cross-site.ts).

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

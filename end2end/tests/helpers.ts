import { expect, type APIRequestContext, type Page } from '@playwright/test';

let counter = 0;

/** A unique email for this run. */
export function uniqueEmail(name: string): string {
  counter += 1;
  return `${name.toLowerCase()}-${Date.now()}-${process.pid}-${counter}@example.com`;
}

/** Signs up through the API; the session cookie lands in the page's browser context. */
export async function signUpViaApi(request: APIRequestContext, name: string) {
  const email = uniqueEmail(name);
  const password = `password-of-${name}`;
  const res = await request.post('/api/auth/sign-up', {
    data: { email, display_name: name, password },
  });
  expect(res.status(), await res.text()).toBe(200);
  return { email, password };
}

/** Creates a room through the API and returns its details. */
export async function createRoomViaApi(
  request: APIRequestContext,
  name: string,
  isPrivate: boolean,
  password: string | null = null,
) {
  const res = await request.post('/api/rooms/create', {
    data: { name, is_private: isPrivate, password },
  });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

/** Opens `path` and waits until the wasm has hydrated it (before that, forms post natively). */
export async function open(page: Page, path: string) {
  // Surface browser-side failures (e.g. a hydration panic) in the test output.
  page.on('pageerror', (e) => console.log(`[pageerror ${path}] ${e.message.slice(0, 500)}`));
  page.on('console', (m) => m.type() === 'error' && console.log(`[console ${path}] ${m.text().slice(0, 500)}`));
  await page.goto(path);
  // The dev build's wasm is ~30 MB; compiling it in a fresh browser context on a loaded 2-core
  // machine can take many seconds (and an abandoned page's compile keeps running), so tests
  // always let a page hydrate before leaving it.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 60_000 });
}

/** Waits until the board's wasm engine is attached to the canvas. */
export async function waitForBoard(page: Page) {
  await expect(page.locator('.board')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
}

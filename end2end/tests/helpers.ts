import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';

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

/** An element as the canvas engine serialises it (the fields the tests look at). */
export type Element = {
  id: string; kind: string; x: number; y: number; width: number; height: number;
  angle: number; points?: [number, number][]; text?: string; endArrowhead?: string;
  strokeColor?: string; backgroundColor?: string; strokeWidth?: number;
  startBinding?: Binding; endBinding?: Binding; containerId?: string;
  roughness?: number; fillStyle?: string; strokeStyle?: string; opacity?: number;
  roundness?: string; startArrowhead?: string; fontFamily?: string; seed?: number;
};

/** Where an arrow's end is attached (absent when it is free). */
export type Binding = { elementId: string; focus: number; gap: number };

/** The live scene as the page's canvas engine sees it (a read-only test hook). */
export async function scene(page: Page): Promise<Element[]> {
  return page.evaluate(() => JSON.parse((window as any).__inkroom.sceneJson()));
}

/** Signs up, creates a public room and opens its board, ready to draw. */
export async function openNewBoard(page: Page, name: string) {
  await signUpViaApi(page.request, name);
  const room = await createRoomViaApi(page.request, `${name} ${Date.now()}`, false);
  await open(page, `/r/${room.slug}`);
  await waitForBoard(page);
  await expect(page.getByTestId('link-state')).toHaveAttribute('data-state', 'live');
  return room;
}

/** Picks a tool from the toolbar and checks that it is pressed. */
export async function pickTool(page: Page, tool: string) {
  await page.locator(`[data-tool=${tool}]`).click();
  await expect(page.locator(`[data-tool=${tool}]`)).toHaveAttribute('aria-pressed', 'true');
}

/** Drags the mouse through `points` (canvas CSS pixels) with the primary button held. */
export async function dragThrough(page: Page, points: [number, number][], steps = 4) {
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  const [first, ...rest] = points;
  await page.mouse.move(box.x + first[0], box.y + first[1]);
  await page.mouse.down();
  for (const [x, y] of rest) {
    await page.mouse.move(box.x + x, box.y + y, { steps });
  }
  await page.mouse.up();
}

/** Clicks the canvas at a point (canvas CSS pixels). */
export async function clickAt(page: Page, x: number, y: number, options: { modifiers?: ('Shift')[] } = {}) {
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  for (const m of options.modifiers ?? []) await page.keyboard.down(m);
  await page.mouse.click(box.x + x, box.y + y);
  for (const m of options.modifiers ?? []) await page.keyboard.up(m);
}

/** A signed-up person in a browser context of their own. */
export async function person(browser: Browser, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpViaApi(page.request, name);
  return { context, page };
}

/** Ann creates a public room, Ben joins it, and both open its board, live. */
export async function annAndBen(browser: Browser, title: string) {
  const ann = await person(browser, 'Ann');
  const ben = await person(browser, 'Ben');
  const room = await createRoomViaApi(ann.page.request, `${title} ${Date.now()}`, false);
  expect((await ben.page.request.post('/api/rooms/join', { data: { slug: room.slug } })).status()).toBe(200);
  for (const p of [ann.page, ben.page]) {
    await open(p, `/r/${room.slug}`);
    await waitForBoard(p);
    await expect(p.getByTestId('link-state')).toHaveAttribute('data-state', 'live');
  }
  return { ann, ben, room };
}

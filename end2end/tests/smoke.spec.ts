import { test, expect, type Page } from '@playwright/test';
import { createRoomViaApi, open, signUpViaApi, waitForBoard } from './helpers';

/** The live scene as the page's canvas engine sees it (a read-only test hook). */
async function scene(page: Page): Promise<Array<Record<string, unknown>>> {
  return page.evaluate(() => JSON.parse((window as any).__inkroom.sceneJson()));
}

/** Counts canvas pixels that are clearly not the white background inside a box (CSS pixels). */
async function inkPixels(page: Page, box: { x: number; y: number; w: number; h: number }) {
  return page.evaluate((b) => {
    const canvas = document.querySelector('canvas.board-canvas') as HTMLCanvasElement;
    const dpr = canvas.width / canvas.getBoundingClientRect().width;
    const ctx = canvas.getContext('2d')!;
    const data = ctx.getImageData(b.x * dpr, b.y * dpr, b.w * dpr, b.h * dpr).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 128 && data[i + 1] < 128 && data[i + 2] < 128) n++;
    }
    return n;
  }, box);
}

test('the home page renders without console errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await open(page, '/');
  await expect(page.getByRole('heading', { name: 'Inkroom', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Public rooms' })).toBeVisible();
  // Client-side navigation only works once the wasm has hydrated the page.
  await page.getByRole('link', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('dragging on the canvas draws a rectangle', async ({ page }) => {
  await signUpViaApi(page.request, 'Smoke');
  const room = await createRoomViaApi(page.request, `Smoke ${Date.now()}`, false);
  await page.goto(`/r/${room.slug}`);
  await waitForBoard(page);
  const canvas = page.getByTestId('board-canvas');
  const box = (await canvas.boundingBox())!;

  // The selection tool is active by default; prove the toolbar reacts, then pick the rectangle.
  await expect(page.locator('[data-tool=select]')).toHaveAttribute('aria-pressed', 'true');
  await page.locator('[data-tool=ellipse]').click();
  await expect(page.locator('[data-tool=ellipse]')).toHaveAttribute('aria-pressed', 'true');
  await page.locator('[data-tool=rectangle]').click();
  await expect(page.locator('[data-tool=rectangle]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('[data-tool=ellipse]')).toHaveAttribute('aria-pressed', 'false');

  const before = await inkPixels(page, { x: 100, y: 100, w: 200, h: 120 });
  await page.mouse.move(box.x + 100, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + 200, box.y + 160, { steps: 5 });
  await page.mouse.move(box.x + 300, box.y + 220, { steps: 5 });
  await page.mouse.up();

  await expect(page.getByTestId('element-count')).toHaveText('1 element');
  const elements = await scene(page);
  expect(elements).toHaveLength(1);
  expect(elements[0]).toMatchObject({ kind: 'rectangle', x: 100, y: 100, width: 200, height: 120 });

  // The outline was painted: dark pixels along the rectangle's border, none before.
  await expect.poll(() => inkPixels(page, { x: 95, y: 95, w: 210, h: 130 })).toBeGreaterThan(200);
  expect(before).toBe(0);
});

test('unknown pages answer 404 with a way back', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('link', { name: 'Back to Inkroom' })).toBeVisible();
});

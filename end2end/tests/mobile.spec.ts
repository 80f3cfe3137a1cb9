import { test, expect, type Page } from '@playwright/test';
import { openNewBoard, scene } from './helpers';

test.use({ viewport: { width: 375, height: 667 }, hasTouch: true });

/** Drags one finger through `points` (canvas CSS pixels) with real touch events. */
async function touchDrag(page: Page, points: [number, number][]) {
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const at = ([x, y]: [number, number]) => [{ x: box.x + x, y: box.y + y, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]) });
  for (const p of points.slice(1)) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
  }
  // The finger rests before lifting: a lift at speed is a fling, and Chrome spends the next tap
  // stopping it instead of clicking.
  await page.waitForTimeout(150);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(points[points.length - 1]) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

test('on a phone-sized screen every tool is reachable and a finger draws a shape', async ({ page }) => {
  await openNewBoard(page, 'Phone');

  // Every toolbar button fits on screen (the toolbar wraps instead of overflowing).
  for (const button of await page.locator('.toolbar button:visible').all()) {
    const b = (await button.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width).toBeLessThanOrEqual(375);
  }

  await page.locator('[data-tool=ellipse]').tap();
  await expect(page.locator('[data-tool=ellipse]')).toHaveAttribute('aria-pressed', 'true');
  const path: [number, number][] = [];
  for (let i = 0; i <= 10; i++) path.push([60 + i * 20, 180 + i * 15]);
  await touchDrag(page, path);
  await expect.poll(async () => (await scene(page)).map((e) => e.kind)).toEqual(['ellipse']);
  const [ellipse] = await scene(page);
  expect(ellipse).toMatchObject({ x: 60, y: 180, width: 200, height: 150 });

  // Select it with a tap and delete it from the panel (no keyboard on a phone).
  await page.locator('[data-tool=select]').tap();
  await expect(page.locator('[data-tool=select]')).toHaveAttribute('aria-pressed', 'true');
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  await page.touchscreen.tap(box.x + 160, box.y + 180);
  await expect(page.getByTestId('delete')).toBeVisible();
  const panel = (await page.getByTestId('selection-panel').boundingBox())!;
  expect(panel.x + panel.width).toBeLessThanOrEqual(375);
  await page.getByTestId('delete').tap();
  await expect.poll(async () => (await scene(page)).length).toBe(0);
});

test('two fingers pinch to zoom without drawing anything', async ({ page }) => {
  await openNewBoard(page, 'Pinch');
  await page.locator('[data-tool=ellipse]').tap();
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const fingers = (spread: number) => [
    { x: box.x + 180 - spread, y: box.y + 250, id: 1 },
    { x: box.x + 180 + spread, y: box.y + 250, id: 2 },
  ];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(40) });
  for (const spread of [50, 60, 70, 80]) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(spread) });
  }
  await page.waitForTimeout(150);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  expect(await scene(page)).toEqual([]);

  // Zoomed in twice: a 200 px drag is 100 world units.
  const path: [number, number][] = [];
  for (let i = 0; i <= 10; i++) path.push([60 + i * 20, 180 + i * 10]);
  await touchDrag(page, path);
  await expect.poll(async () => (await scene(page)).length).toBe(1);
  const [ellipse] = await scene(page);
  expect(ellipse.width).toBeCloseTo(100, 5);
  expect(ellipse.height).toBeCloseTo(50, 5);
});

import { test, expect, type Page, type Browser } from '@playwright/test';
import { createRoomViaApi, signUpViaApi, waitForBoard } from './helpers';

type Shape = { id: string; kind: string; x: number; y: number; width: number; height: number };

/** The live scene, reduced to what both people must agree on, in a stable order. */
async function scene(page: Page): Promise<Shape[]> {
  const all = await page.evaluate(() => JSON.parse((window as any).__inkroom.sceneJson()));
  return all
    .map(({ id, kind, x, y, width, height }: Shape) => ({ id, kind, x, y, width, height }))
    .sort((a: Shape, b: Shape) => a.id.localeCompare(b.id));
}

async function drawRectangle(page: Page, x1: number, y1: number, x2: number, y2: number) {
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  await page.mouse.move(box.x + x1, box.y + y1);
  await page.mouse.down();
  await page.mouse.move(box.x + (x1 + x2) / 2, box.y + (y1 + y2) / 2, { steps: 4 });
  await page.mouse.move(box.x + x2, box.y + y2, { steps: 4 });
  await page.mouse.up();
}

async function person(browser: Browser, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpViaApi(page.request, name);
  return { context, page };
}

test('two people draw at once, undo their own work, and always see the same board', async ({ browser }) => {
  const ann = await person(browser, 'Ann');
  const ben = await person(browser, 'Ben');
  const room = await createRoomViaApi(ann.page.request, `Collab ${Date.now()}`, false);
  expect((await ben.page.request.post('/api/rooms/join', { data: { slug: room.slug } })).status()).toBe(200);

  for (const p of [ann.page, ben.page]) {
    await p.goto(`/r/${room.slug}`);
    await waitForBoard(p);
    await expect(p.getByTestId('link-state')).toHaveAttribute('data-state', 'live');
    await p.keyboard.press('r');
    await expect(p.locator('[data-tool=rectangle]')).toHaveAttribute('aria-pressed', 'true');
  }
  // Presence: each sees both people.
  await expect(ann.page.locator('[data-testid=people] .person')).toHaveCount(2);

  // Both draw at the same time.
  await Promise.all([
    drawRectangle(ann.page, 60, 60, 220, 160),
    drawRectangle(ben.page, 320, 200, 460, 320),
  ]);
  for (const p of [ann.page, ben.page]) {
    await expect(p.getByTestId('element-count')).toHaveText('2 elements');
  }
  expect(await scene(ann.page)).toEqual(await scene(ben.page));

  // Ann undoes her own rectangle; Ben's stays, on both screens.
  await ann.page.keyboard.press('Control+z');
  for (const p of [ann.page, ben.page]) {
    await expect(p.getByTestId('element-count')).toHaveText('1 element');
  }
  const afterUndo = await scene(ben.page);
  expect(afterUndo).toEqual(await scene(ann.page));
  expect(afterUndo[0]).toMatchObject({ x: 320, y: 200 });

  // A reload shows the same board: it came from the server, not from the tab.
  await ben.page.reload();
  await waitForBoard(ben.page);
  await expect(ben.page.getByTestId('element-count')).toHaveText('1 element');
  expect(await scene(ben.page)).toEqual(afterUndo);

  await ann.context.close();
  await ben.context.close();
});

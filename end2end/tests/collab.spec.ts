import { test, expect, type Page } from '@playwright/test';
import { annAndBen, waitForBoard } from './helpers';

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

test('two people draw at once, undo their own work, and always see the same board', async ({ browser }) => {
  const { ann, ben } = await annAndBen(browser, 'Collab');
  for (const p of [ann.page, ben.page]) {
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

/** The world rectangle a page's canvas shows. */
async function view(page: Page): Promise<{ min: { x: number; y: number }; max: { x: number; y: number } }> {
  return page.evaluate(() => JSON.parse((window as any).__inkroom.viewJson()));
}

function centre(v: { min: { x: number; y: number }; max: { x: number; y: number } }) {
  return { x: (v.min.x + v.max.x) / 2, y: (v.min.y + v.max.y) / 2 };
}

test('following someone shows their viewport until you move yourself', async ({ browser }) => {
  const { ann, ben } = await annAndBen(browser, 'Follow');
  await expect(ben.page.locator('[data-testid=people] .person')).toHaveCount(2);

  // Ben follows Ann: a banner says so, and Ann's badge shows she is followed.
  await ben.page.locator('[data-testid=people] .person[aria-label=Ann]').click();
  await expect(ben.page.getByTestId('follow-banner')).toContainText('Following Ann');
  await expect(ann.page.locator('[data-testid=people] .person[aria-label=Ben]')).toHaveClass(/follows-me/);

  // Ann pans far away with the wheel and zooms in: Ben's camera goes there too.
  const box = (await ann.page.getByTestId('board-canvas').boundingBox())!;
  await ann.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 5; i++) await ann.page.mouse.wheel(400, 300);
  await ann.page.keyboard.press('Control+=');
  await expect.poll(async () => {
    const [a, b] = [centre(await view(ann.page)), centre(await view(ben.page))];
    return Math.hypot(a.x - b.x, a.y - b.y);
  }, { timeout: 5000 }).toBeLessThan(1);
  const annView = await view(ann.page);
  expect(centre(annView).x).toBeGreaterThan(1000);
  // Ben sees at least all of what Ann sees (the same centre, zoomed to fit his window).
  const benView = await view(ben.page);
  expect(benView.max.x - benView.min.x).toBeGreaterThanOrEqual(annView.max.x - annView.min.x - 1);

  // Ben pans himself: he stops following, and Ann's next moves no longer move him.
  const benBox = (await ben.page.getByTestId('board-canvas').boundingBox())!;
  await ben.page.mouse.move(benBox.x + benBox.width / 2, benBox.y + benBox.height / 2);
  await ben.page.mouse.wheel(0, 200);
  await expect(ben.page.getByTestId('follow-banner')).toHaveCount(0);
  await expect(ann.page.locator('[data-testid=people] .person[aria-label=Ben]')).not.toHaveClass(/follows-me/);
  const parked = await view(ben.page);
  await ann.page.mouse.wheel(-2000, 0);
  await ann.page.waitForTimeout(300);
  expect(await view(ben.page)).toEqual(parked);

  await ann.context.close();
  await ben.context.close();
});

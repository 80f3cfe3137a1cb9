import { test, expect, type Page } from '@playwright/test';
import { clickAt, dragThrough, openNewBoard, scene } from './helpers';

/** Moves the mouse over the canvas (pastes land under the pointer). */
async function hover(page: Page, x: number, y: number) {
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  await page.mouse.move(box.x + x, box.y + y);
}

/** Fires a DOM `paste` event carrying `text`, as the browser does for Ctrl+V. */
async function pasteText(page: Page, text: string) {
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, text);
}

test('a shape tool hands over to select; copy, cut and paste go through the clipboard', async ({ page }) => {
  await openNewBoard(page, 'Paster');
  await page.keyboard.press('r');
  await dragThrough(page, [[100, 100], [200, 180]]);
  // Tool revert: the selection tool, with the new rectangle selected.
  await expect(page.locator('[data-tool=select]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('delete')).toBeVisible();
  const [original] = await scene(page);

  // Ctrl+C, then Ctrl+V with the pointer at (400, 300): a copy centred there, selected.
  await hover(page, 400, 300);
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  const copy = (await scene(page)).find((e) => e.id !== original.id)!;
  expect(copy).toMatchObject({ kind: 'rectangle', x: 350, y: 260, width: 100, height: 80 });

  // One undo takes the paste back.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('element-count')).toHaveText('1 element');

  // Ctrl+X removes it; pasting brings a copy back where the pointer is.
  await clickAt(page, 150, 100);
  await page.keyboard.press('Control+x');
  await expect(page.getByTestId('element-count')).toHaveText('0 elements');
  await hover(page, 300, 400);
  await page.keyboard.press('Control+v');
  await expect(page.getByTestId('element-count')).toHaveText('1 element');
  expect((await scene(page))[0]).toMatchObject({ kind: 'rectangle', x: 250, y: 360 });

  // Plain text becomes a text element.
  await hover(page, 500, 150);
  await pasteText(page, 'Hello paste');
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  expect((await scene(page)).find((e) => e.kind === 'text')?.text).toBe('Hello paste');

  // Damaged clipboard JSON: a toast says so and nothing changes.
  await pasteText(page, '{"type":"inkroom/clipboard","elements":[');
  await expect(page.getByTestId('toast')).toContainText('damaged JSON');
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
});

test('a locked shape cannot be selected or moved until it is unlocked', async ({ page }) => {
  await openNewBoard(page, 'Locker');
  await page.keyboard.press('r');
  await dragThrough(page, [[100, 100], [200, 180]]);
  await page.getByTestId('lock').click();
  await expect(page.getByTestId('unlock-all')).toBeVisible();
  await expect(page.getByTestId('selection-panel')).toBeHidden();

  // A click on it selects nothing, a drag on it moves nothing, select-all skips it.
  await clickAt(page, 150, 100);
  await expect(page.getByTestId('selection-panel')).toBeHidden();
  await dragThrough(page, [[150, 100], [250, 160]]);
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('selection-panel')).toBeHidden();
  expect((await scene(page))[0]).toMatchObject({ x: 100, y: 100, locked: true });

  // Ctrl+Shift+L with nothing selected unlocks everything and selects it.
  await page.keyboard.press('Control+Shift+L');
  await expect(page.getByTestId('unlock-all')).toBeHidden();
  await expect(page.getByTestId('delete')).toBeVisible();
  expect((await scene(page))[0]).toMatchObject({ locked: false });
});

test('with the grid on, drawing and moving snap to it', async ({ page }) => {
  await openNewBoard(page, 'Gridder');
  await page.keyboard.press("Control+'");
  await expect(page.getByTestId('grid')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('r');
  await dragThrough(page, [[33, 47], [131, 112]]);
  await expect.poll(async () => (await scene(page))[0]).toMatchObject({ x: 40, y: 40, width: 100, height: 80 });
  // Grabbed by its left edge and dropped off the grid: its corner lands on a grid point.
  await dragThrough(page, [[40, 60], [67, 93]]);
  await expect.poll(async () => (await scene(page))[0]).toMatchObject({ x: 60, y: 80 });
  // The toolbar button turns it off again: nothing snaps.
  await page.getByTestId('grid').click();
  await page.keyboard.press('r');
  await dragThrough(page, [[303, 301], [357, 349]]);
  await expect.poll(async () => (await scene(page))[1]).toMatchObject({ x: 303, y: 301, width: 54, height: 48 });
});

test('the panel aligns, distributes and reorders the selection', async ({ page }) => {
  await openNewBoard(page, 'Arranger');
  await page.getByTestId('tool-lock').click();
  await page.keyboard.press('r');
  await dragThrough(page, [[60, 100], [120, 140]]);
  await dragThrough(page, [[200, 160], [240, 220]]);
  await dragThrough(page, [[400, 120], [460, 150]]);
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('align-top')).toBeVisible();
  await page.getByTestId('align-top').click();
  await expect.poll(async () => new Set((await scene(page)).map((e) => e.y)).size).toBe(1);
  await page.getByTestId('distribute-x').click();
  const xs = (await scene(page)).map((e) => [e.x, e.width]).sort((a, b) => a[0] - b[0]);
  expect(xs[1][0] - (xs[0][0] + xs[0][1])).toBeCloseTo(xs[2][0] - (xs[1][0] + xs[1][1]), 6);
  // One element: no align buttons, but the layer buttons.
  await clickAt(page, 90, 100);
  await expect(page.getByTestId('align-top')).toBeHidden();
  const first = (await scene(page))[0].id;
  await page.getByTestId('to-front').click();
  await expect.poll(async () => (await scene(page)).at(-1)!.id).toBe(first);
});

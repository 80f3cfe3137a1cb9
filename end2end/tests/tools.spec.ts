import { test, expect } from '@playwright/test';
import { clickAt, dragThrough, openNewBoard, pickTool, scene } from './helpers';

test('every tool draws its kind of element, from the toolbar or the keyboard', async ({ page }) => {
  await openNewBoard(page, 'Tools');

  await pickTool(page, 'rectangle');
  await dragThrough(page, [[60, 120], [160, 200]]);
  // One shape drawn, the tool hands over to the selection tool (Excalidraw's flow).
  await expect(page.locator('[data-tool=select]')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('o'); // ellipse
  await expect(page.locator('[data-tool=ellipse]')).toHaveAttribute('aria-pressed', 'true');
  await dragThrough(page, [[200, 120], [300, 200]]);
  await page.keyboard.press('d'); // diamond
  await dragThrough(page, [[340, 120], [440, 200]]);
  await pickTool(page, 'line');
  await dragThrough(page, [[60, 260], [160, 320]]);
  await page.keyboard.press('a'); // arrow
  await dragThrough(page, [[200, 260], [300, 320]]);
  await page.keyboard.press('p'); // pencil
  await expect(page.locator('[data-tool=freedraw]')).toHaveAttribute('aria-pressed', 'true');
  await dragThrough(page, [[340, 260], [380, 300], [420, 270], [440, 320]]);
  await expect(page.getByTestId('element-count')).toHaveText('6 elements');

  // Text: a click opens the box; Enter starts a new line and Ctrl+Enter keeps what was typed.
  await page.keyboard.press('t');
  await clickAt(page, 80, 420);
  const box = page.getByTestId('text-editor');
  await expect(box).toBeVisible();
  await expect(box).toBeFocused();
  await page.keyboard.type('Hello');
  await page.keyboard.press('Enter');
  await page.keyboard.type('board');
  await expect(box).toBeVisible();
  await page.keyboard.press('Control+Enter');
  await expect(box).toBeHidden();
  await expect(page.getByTestId('element-count')).toHaveText('7 elements');

  // Escape keeps the words too (it used to throw them away), and so does a click elsewhere.
  await page.keyboard.press('t');
  await clickAt(page, 300, 450);
  await expect(box).toBeVisible();
  await page.keyboard.type('kept by Escape');
  await page.keyboard.press('Escape');
  await expect(box).toBeHidden();
  await expect(page.getByTestId('element-count')).toHaveText('8 elements');
  await page.keyboard.press('t');
  await clickAt(page, 300, 520);
  await page.keyboard.type('kept by a click');
  await clickAt(page, 600, 520);
  await expect(page.getByTestId('element-count')).toHaveText('9 elements');
  // Empty text is never created.
  await page.keyboard.press('t');
  await clickAt(page, 500, 450);
  await expect(box).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(box).toBeHidden();
  await expect(page.getByTestId('element-count')).toHaveText('9 elements');

  const elements = await scene(page);
  expect(elements.map((e) => e.kind)).toEqual([
    'rectangle', 'ellipse', 'diamond', 'line', 'arrow', 'freedraw', 'text', 'text', 'text',
  ]);
  const byKind = Object.fromEntries(elements.map((e) => [e.kind, e]));
  expect(byKind.rectangle).toMatchObject({ x: 60, y: 120, width: 100, height: 80 });
  expect(byKind.ellipse).toMatchObject({ x: 200, y: 120, width: 100, height: 80 });
  expect(byKind.line.points).toEqual([[0, 0], [100, 60]]);
  expect(byKind.line.endArrowhead).toBe('none');
  expect(byKind.arrow.endArrowhead).toBe('arrow');
  expect(byKind.freedraw.points!.length).toBeGreaterThan(4);
  const texts = elements.filter((e) => e.kind === 'text').map((e) => e.text);
  expect(texts).toEqual(['Hello\nboard', 'kept by Escape', 'kept by a click']);
});

test('select, move, resize, delete, then undo and redo', async ({ page }) => {
  await openNewBoard(page, 'Mover');
  await page.keyboard.press('r');
  await dragThrough(page, [[100, 100], [200, 180]]);
  await page.keyboard.press('r');
  await dragThrough(page, [[300, 100], [400, 180]]);
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  const [first, second] = await scene(page);

  // Select the first by its top edge and drag it by 100, 50.
  await page.keyboard.press('v');
  await clickAt(page, 130, 100);
  await expect(page.getByTestId('selection-panel')).toBeVisible();
  await dragThrough(page, [[130, 100], [180, 130], [230, 150]]);
  await expect.poll(async () => (await scene(page)).find((e) => e.id === first.id)).toMatchObject({ x: 200, y: 150 });

  // Resize it from its bottom-right handle (frame corner = shape corner + 4 px of padding).
  await dragThrough(page, [[304, 234], [334, 254]]);
  await expect.poll(async () => (await scene(page)).find((e) => e.id === first.id))
    .toMatchObject({ x: 200, y: 150, width: 130, height: 100 });

  // Marquee around both, delete them in one step.
  await dragThrough(page, [[40, 60], [480, 300]]);
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('element-count')).toHaveText('0 elements');

  // Undo: both back at once; undo again: the resize; again: the move.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await scene(page)).find((e) => e.id === first.id)).toMatchObject({ width: 100 });
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await scene(page)).find((e) => e.id === first.id)).toMatchObject({ x: 100, y: 100 });
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await scene(page)).find((e) => e.id === first.id)).toMatchObject({ x: 200, y: 150 });
  expect((await scene(page)).find((e) => e.id === second.id)).toMatchObject({ x: 300, y: 100 });

  // The toolbar's undo button does the same as Ctrl+Z.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(async () => (await scene(page)).find((e) => e.id === first.id)).toMatchObject({ x: 100 });

  // A reload shows the server's copy: every step above reached it.
  await page.reload();
  await expect(page.locator('.board')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect.poll(async () => (await scene(page)).map((e) => [e.x, e.y]).sort()).toEqual([[100, 100], [300, 100]]);
});

test('shift-click, duplicate, style and the eraser', async ({ page }) => {
  await openNewBoard(page, 'Styler');
  // The tool lock (Q) keeps the ellipse tool for the second shape.
  await page.keyboard.press('q');
  await expect(page.getByTestId('tool-lock')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('o');
  await dragThrough(page, [[100, 100], [200, 200]]);
  await dragThrough(page, [[300, 100], [400, 200]]);
  await expect(page.locator('[data-tool=ellipse]')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('tool-lock').click();
  await expect(page.getByTestId('tool-lock')).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('v');
  await clickAt(page, 150, 100);
  await clickAt(page, 350, 100, { modifiers: ['Shift'] });
  await page.keyboard.press('Control+d');
  await expect(page.getByTestId('element-count')).toHaveText('4 elements');

  // The copies are selected: colour them red with a green fill and a thick outline.
  await page.locator('[data-testid=selection-panel] [data-color="#e03131"]').click();
  await page.locator('[data-testid=selection-panel] [data-color="#b2f2bb"]').click();
  await page.getByRole('button', { name: 'Extra bold' }).click();
  const copies = (await scene(page)).filter((e) => e.x === 110 || e.x === 310);
  expect(copies).toHaveLength(2);
  for (const c of copies) {
    expect(c).toMatchObject({ strokeColor: '#e03131', backgroundColor: '#b2f2bb', strokeWidth: 4 });
  }

  // The eraser deletes everything its drag crosses (the filled copies even inside), undo restores.
  await page.keyboard.press('Escape');
  await page.keyboard.press('e');
  await dragThrough(page, [[60, 160], [460, 160]], 20);
  await expect(page.getByTestId('element-count')).toHaveText('0 elements');
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('element-count')).toHaveText('4 elements');

  // The help dialog lists the shortcuts.
  await page.keyboard.press('?');
  await expect(page.getByTestId('help')).toBeVisible();
  await expect(page.getByTestId('help')).toContainText('Duplicate the selection');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help')).toBeHidden();
});

test('rotate, group and ungroup, zoom and pan: the scene stays in world coordinates', async ({ page }) => {
  // Below the floating toolbar, which covers the top of the canvas.
  await openNewBoard(page, 'Turner');
  await page.keyboard.press('r');
  await dragThrough(page, [[100, 300], [200, 380]]);
  await page.keyboard.press('r');
  await dragThrough(page, [[300, 300], [400, 380]]);
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  const [first, second] = await scene(page);

  // The new box is selected; its rotation handle is 22 px above the padded frame's top centre.
  // Dragging it to the right of the centre turns the box a quarter turn clockwise.
  await dragThrough(page, [[350, 274], [390, 290], [430, 340]]);
  await expect.poll(async () => (await scene(page)).find((e) => e.id === second.id)?.angle)
    .toBeCloseTo(Math.PI / 2, 1);

  // Group both: a click on one then selects both, and a drag moves both.
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+g');
  await expect.poll(async () => new Set((await scene(page)).map((e) => JSON.stringify((e as any).groupIds))).size).toBe(1);
  expect((await scene(page))[0]).toHaveProperty('groupIds');
  await page.keyboard.press('Escape');
  await clickAt(page, 150, 300);
  await dragThrough(page, [[150, 300], [170, 320], [200, 350]]);
  await expect.poll(async () => (await scene(page)).find((e) => e.id === second.id)?.x).toBe(350);
  expect((await scene(page)).find((e) => e.id === first.id)).toMatchObject({ x: 150, y: 350 });
  // Ungroup: a click selects one again, and a drag moves only it.
  await page.keyboard.press('Control+Shift+g');
  await expect.poll(async () => (await scene(page)).every((e) => !(e as any).groupIds)).toBe(true);
  await page.keyboard.press('Escape');
  // (by the top edge, away from the frame's handles)
  await clickAt(page, 175, 350);
  await dragThrough(page, [[175, 350], [175, 400], [175, 450]]);
  await expect.poll(async () => (await scene(page)).find((e) => e.id === first.id)?.y).toBe(450);
  expect((await scene(page)).find((e) => e.id === second.id)?.y).toBe(350);

  // Zoom in twice: a box drawn now is sized and placed in world units.
  await page.keyboard.press('Control+=');
  await page.keyboard.press('Control+=');
  const view = await page.evaluate(() => JSON.parse((window as any).__inkroom.viewJson()));
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  const zoom = box.width / (view.max.x - view.min.x);
  expect(zoom).toBeGreaterThan(1.1);
  await page.keyboard.press('r');
  await dragThrough(page, [[600, 450], [700, 550]]);
  await expect(page.getByTestId('element-count')).toHaveText('3 elements');
  const drawn = (await scene(page)).find((e) => e.id !== first.id && e.id !== second.id)!;
  expect(drawn.width).toBeCloseTo(100 / zoom, 1);
  expect(drawn.x).toBeCloseTo(view.min.x + 600 / zoom, 1);
});

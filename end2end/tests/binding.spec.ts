import { test, expect } from '@playwright/test';
import { clickAt, dragThrough, openNewBoard, scene, type Element } from './helpers';

/** The element with `id` in the page's scene. */
async function find(page: import('@playwright/test').Page, id: string): Promise<Element | undefined> {
  return (await scene(page)).find((e) => e.id === id);
}

test('arrows bind to shapes, follow them, and let go when dragged off', async ({ page }) => {
  await openNewBoard(page, 'Binder');
  await page.keyboard.press('r');
  await dragThrough(page, [[100, 100], [200, 180]]);
  // After one shape the tool hands over to select.
  await page.keyboard.press('r');
  await dragThrough(page, [[400, 100], [500, 180]]);
  // An arrow from inside the first box to inside the second binds both ends.
  await page.keyboard.press('a');
  await dragThrough(page, [[150, 140], [450, 140]]);
  await expect(page.getByTestId('element-count')).toHaveText('3 elements');
  const [left, right, arrow] = await scene(page);
  expect(arrow.kind).toBe('arrow');
  expect(arrow.startBinding?.elementId).toBe(left.id);
  expect(arrow.endBinding?.elementId).toBe(right.id);
  // Its ends snapped to the outlines, 5 units off.
  expect(arrow.x).toBeCloseTo(205);
  expect(arrow.width).toBeCloseTo(190);

  // Moving the right box (by its bottom edge) takes the arrow's end along.
  await page.keyboard.press('v');
  await clickAt(page, 430, 180);
  await dragThrough(page, [[430, 180], [430, 230], [430, 280]]);
  await expect.poll(async () => (await find(page, right.id))?.y).toBe(200);
  const followed = (await find(page, arrow.id))!;
  expect(followed.height).toBeGreaterThan(50);
  expect(followed.endBinding?.elementId).toBe(right.id);

  // One undo puts the box and the arrow back.
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await find(page, right.id))?.y).toBe(100);
  expect((await find(page, arrow.id))!.height).toBeCloseTo(0);

  // With the arrow selected, dragging its end handle off the box releases that end only.
  await clickAt(page, 300, 140);
  await dragThrough(page, [[395, 140], [350, 300]]);
  await expect.poll(async () => (await find(page, arrow.id))?.endBinding).toBeUndefined();
  expect((await find(page, arrow.id))!.startBinding?.elementId).toBe(left.id);

  // Deleting the left box frees the arrow's start; the arrow stays.
  await page.keyboard.press('Escape');
  await clickAt(page, 130, 100);
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  expect((await find(page, arrow.id))!.startBinding).toBeUndefined();
});

test('text typed into a shape is centred in it and goes where it goes', async ({ page }) => {
  await openNewBoard(page, 'Labeller');
  await page.keyboard.press('r');
  await dragThrough(page, [[100, 100], [300, 200]]);
  await page.keyboard.press('v');
  // A double-click inside the (unfilled) rectangle types its label.
  const box = (await page.getByTestId('board-canvas').boundingBox())!;
  await page.mouse.dblclick(box.x + 200, box.y + 150);
  const editor = page.getByTestId('text-editor');
  await expect(editor).toBeVisible();
  await page.keyboard.type('Hello');
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  const [rect, label] = await scene(page);
  expect(label).toMatchObject({ kind: 'text', text: 'Hello', containerId: rect.id });
  expect(label.x + label.width / 2).toBeCloseTo(200);
  expect(label.y + label.height / 2).toBeCloseTo(150);

  // Dragging the rectangle by its edge moves the label with it.
  await clickAt(page, 150, 100);
  await dragThrough(page, [[150, 100], [200, 150], [250, 200]]);
  await expect.poll(async () => (await find(page, rect.id))?.x).toBe(200);
  const moved = (await find(page, label.id))!;
  expect(moved.x + moved.width / 2).toBeCloseTo(300);
  expect(moved.y + moved.height / 2).toBeCloseTo(250);

  // Enter on the selected rectangle re-opens its label; emptying it removes the label.
  await page.keyboard.press('Enter');
  await expect(editor).toBeVisible();
  await expect(editor).toHaveValue('Hello');
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('element-count')).toHaveText('1 element');
});

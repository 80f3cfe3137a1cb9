import { test, expect, type Page } from '@playwright/test';
import { clickAt, dragThrough, openNewBoard, pickTool, scene } from './helpers';

/** A hand-drawn-looking rectangle: its outline with a slow wobble, closing a little past the
 * start, as a mouse would draw it. */
function roughRectangle(x0: number, y0: number, x1: number, y1: number): [number, number][] {
  const corners: [number, number][] = [[x0, y0], [x1, y0 + 3], [x1 - 2, y1], [x0 + 3, y1 - 2], [x0 + 1, y0 + 6]];
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < corners.length; i++) {
    const [ax, ay] = corners[i];
    const [bx, by] = corners[i + 1];
    for (let k = 0; k < 8; k++) {
      const t = k / 8;
      const wobble = Math.sin((i * 8 + k) * 0.7) * 1.5;
      out.push([ax + (bx - ax) * t + wobble, ay + (by - ay) * t - wobble]);
    }
  }
  out.push([x0 + 12, y0 + 2]);
  return out;
}

/** Whether the server has a handwriting model (a deployment may ship only the shape model). */
async function handwritingAvailable(page: Page): Promise<boolean> {
  const res = await page.request.post('/api/ai/handwriting-recognition', {
    data: { strokes: [[[0, 0], [1, 40], [2, 80]]] },
  });
  return res.status() !== 503;
}

test('auto-shape turns a rough rectangle into a rectangle, and Keep ink brings the ink back', async ({ page }) => {
  await openNewBoard(page, 'Shaper');
  const toggle = page.getByTestId('auto-shape');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await pickTool(page, 'freedraw');
  await dragThrough(page, roughRectangle(150, 150, 450, 330), 2);

  // The ink is replaced by a clean rectangle of about its size, in one change.
  await expect.poll(async () => (await scene(page)).map((e) => e.kind), { timeout: 30_000 }).toEqual(['rectangle']);
  const [rect] = await scene(page);
  expect(rect.x).toBeGreaterThan(130);
  expect(rect.x).toBeLessThan(170);
  expect(rect.width).toBeGreaterThan(260);
  expect(rect.width).toBeLessThan(340);
  await expect(page.getByTestId('toast')).toContainText('Converted to rectangle');

  // Keep ink: the freehand stroke is back and the rectangle gone.
  await page.getByTestId('keep-ink').click();
  await expect.poll(async () => (await scene(page)).map((e) => e.kind)).toEqual(['freedraw']);
  await expect(page.getByTestId('toast')).toBeHidden();

  // With the toggle off, ink stays ink.
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await dragThrough(page, roughRectangle(500, 150, 700, 300), 2);
  await expect(page.getByTestId('element-count')).toHaveText('2 elements');
  await page.waitForTimeout(1500);
  expect((await scene(page)).map((e) => e.kind)).toEqual(['freedraw', 'freedraw']);
});

test('convert to text replaces the selected ink with a text element, or keeps it when the model is missing', async ({ page }) => {
  await openNewBoard(page, 'Writer');
  const available = await handwritingAvailable(page);
  test.info().annotations.push({
    type: 'handwriting model',
    description: available ? 'deployed: conversion tested' : 'missing: the error path is tested instead',
  });
  await pickTool(page, 'freedraw');
  // A "1": a short flick, then a long vertical stroke.
  await dragThrough(page, [[290, 215], [300, 200], [301, 260], [302, 320]]);
  await expect(page.getByTestId('element-count')).toHaveText('1 element');

  await page.keyboard.press('v');
  await clickAt(page, 301, 270);
  const convert = page.getByTestId('convert-to-text');
  await expect(convert).toBeVisible();
  await convert.click();

  if (available) {
    await expect.poll(async () => (await scene(page)).map((e) => e.kind), { timeout: 30_000 }).toEqual(['text']);
    const [text] = await scene(page);
    expect(text.text!.length).toBeGreaterThan(0);
    await expect(page.getByTestId('toast')).toContainText('Converted to');
    // One undo brings the ink back.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await scene(page)).map((e) => e.kind)).toEqual(['freedraw']);
  } else {
    // A visible, non-blocking message; the ink is untouched.
    await expect(page.getByTestId('toast')).toContainText('not available');
    expect((await scene(page)).map((e) => e.kind)).toEqual(['freedraw']);
  }
});

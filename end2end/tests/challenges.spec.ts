// Drawing challenges in real browsers: one person opens today's challenge, draws and submits;
// a second finds it in the gallery, likes it and opens a copy as a board; an admin schedules a
// challenge that then shows up as upcoming.
import { test, expect, type Browser } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dragThrough, open, pickTool, scene, signUpViaApi, waitForBoard } from './helpers';

/** Runs one of the binary's storage commands against the test server's database. */
function inkroom(...args: string[]): string {
  return execFileSync(process.env.INKROOM_BIN!, [...args, '--data-dir', process.env.INKROOM_E2E_DATA!], {
    encoding: 'utf8',
  });
}

/** YYYY-MM-DD of the UTC day `days` from now. */
function utcDate(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Schedules a daily challenge for today (UTC) with a title unique to this run. */
function scheduleToday(title: string) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'inkroom-catalogue-')), 'c.toml');
  fs.writeFileSync(file, [
    '[season]', `starts = "${utcDate()}"`, '',
    '[[category]]', 'slug = "e2e"', 'name = "Test Drawings"', 'description = "For the tests."',
    'color = "#2f9e44"', 'icon = "paw"', '',
    '[[daily]]', `title = "${title}"`, 'prompt = "Draw one box."', 'category = "e2e"',
    // One slug per day: a retry rewrites the same challenge instead of clashing with it.
    'difficulty = "beginner"', `slug = "e2e-${utcDate()}"`, '',
  ].join('\n'));
  expect(inkroom('challenges', 'import', file)).toContain('1 daily');
}

async function newPerson(browser: Browser, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const account = await signUpViaApi(page.request, name);
  return { context, page, account };
}

test('a drawing is submitted, liked and remixed; an admin schedules the next challenge', async ({ browser }) => {
  const title = `Box ${Date.now()}`;
  scheduleToday(title);

  // Ann opens today's challenge from the challenges page and starts drawing.
  const ann = await newPerson(browser, 'Ann');
  await open(ann.page, '/challenges');
  const card = ann.page.getByTestId('challenge-card').filter({ hasText: title });
  await expect(card).toBeVisible();
  await card.getByRole('link', { name: title }).click();
  await expect(ann.page.getByTestId('challenge-title')).toHaveText(title);
  await expect(ann.page.getByTestId('status')).toHaveText('Open for submissions');
  await ann.page.getByRole('button', { name: 'Start drawing' }).click();
  await expect(ann.page).toHaveURL(/\/r\//);
  await waitForBoard(ann.page);
  await expect(ann.page.getByTestId('link-state')).toHaveAttribute('data-state', 'live');
  await pickTool(ann.page, 'rectangle');
  await dragThrough(ann.page, [[200, 200], [360, 300]]);
  await expect.poll(async () => (await scene(ann.page)).length).toBe(1);
  const drawn = (await scene(ann.page))[0];

  // Submits it: the server renders it; the submission page shows the picture.
  await ann.page.getByTestId('open-submit').click();
  await ann.page.getByLabel('Title').fill('My box');
  await ann.page.getByRole('button', { name: 'Submit drawing' }).click();
  await expect(ann.page).toHaveURL(/\/submissions\//);
  await expect(ann.page.getByTestId('submission-title')).toHaveText('My box');
  const image = ann.page.locator('.picture img');
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);

  // Ben finds it in the gallery, likes it (the count updates), and opens a copy as a board.
  const ben = await newPerson(browser, 'Ben');
  await open(ben.page, '/challenges');
  await ben.page.getByTestId('challenge-card').filter({ hasText: title }).getByRole('link', { name: title }).click();
  const tile = ben.page.getByTestId('submission-tile').filter({ hasText: 'My box' });
  await expect(tile).toBeVisible();
  await expect(tile.locator('img')).toHaveJSProperty('complete', true);
  await tile.locator('a.title').click();
  await expect(ben.page.getByTestId('submission-title')).toHaveText('My box');
  await expect(ben.page.getByTestId('likes')).toHaveText('0');
  await ben.page.getByRole('button', { name: /Like/ }).click();
  await expect(ben.page.getByTestId('likes')).toHaveText('1');
  await expect(ben.page.getByRole('button', { name: /Liked/ })).toBeVisible();
  await ben.page.getByRole('button', { name: 'Open a copy as a board' }).click();
  await expect(ben.page).toHaveURL(/\/r\//);
  await waitForBoard(ben.page);
  await expect.poll(async () => (await scene(ben.page)).length).toBe(1);
  const copied = (await scene(ben.page))[0];
  expect(copied.kind).toBe('rectangle');
  expect([copied.x, copied.y, copied.width, copied.height]).toEqual([drawn.x, drawn.y, drawn.width, drawn.height]);

  // Ann sees Ben's like on her submission.
  await ann.page.reload();
  await expect(ann.page.getByTestId('likes')).toHaveText('1', { timeout: 60_000 });

  // An admin schedules a challenge three days ahead; everyone sees it as coming up.
  const admin = await newPerson(browser, 'Admin');
  expect(inkroom('admin', 'grant', admin.account.email)).toContain('is now a site admin');
  await open(admin.page, '/admin/challenges');
  const upcoming = `Upcoming ${Date.now()}`;
  await admin.page.getByLabel('Title').fill(upcoming);
  await admin.page.getByLabel('Prompt').fill('Draw what comes next.');
  await admin.page.getByLabel('Runs in the period of (UTC)').fill(utcDate(3));
  await admin.page.getByRole('button', { name: 'Schedule' }).click();
  await expect(admin.page).toHaveURL(/\/challenges\/daily-/);
  await expect(admin.page.getByTestId('status')).toHaveText('Not started yet');
  await open(ben.page, '/challenges');
  await expect(ben.page.getByTestId('challenge-card').filter({ hasText: upcoming })).toBeVisible();
  // Ben is not an admin: the page is refused.
  await open(ben.page, '/admin/challenges');
  await expect(ben.page.locator('.form-error').first()).toBeVisible();

  for (const p of [ann, ben, admin]) await p.context.close();
});

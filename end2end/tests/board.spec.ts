import { test, expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  annAndBen, clickAt, dragThrough, open, openNewBoard, scene, waitForBoard,
} from './helpers';

async function sendChat(page: Page, text: string) {
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
}

test('chat: live round trip, HTML shown as text, links only for http(s), history paged', async ({ browser }) => {
  const { ann, ben } = await annAndBen(browser, 'Chat');
  // Ben opens the chat with its shortcut; Ann opens it with the button.
  await ben.page.keyboard.press('c');
  await expect(ben.page.getByTestId('chat-panel')).toBeVisible();
  await expect(ben.page.getByTestId('chat-input')).toBeFocused();
  await ann.page.getByTestId('chat-toggle').click();

  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script> see https://example.com/a and javascript:alert(1)';
  await sendChat(ann.page, payload);
  const last = ben.page.getByTestId('chat-text').last();
  await expect(last).toHaveText(payload);
  await expect(last.locator('a')).toHaveCount(1);
  await expect(last.locator('a')).toHaveAttribute('href', 'https://example.com/a');
  await expect(last.locator('img, script')).toHaveCount(0);
  expect(await ben.page.evaluate(() => (window as any).__pwned)).toBeUndefined();

  // Closed panel: a badge counts what arrives.
  await ben.page.getByTestId('chat-toggle').click();
  await expect(ben.page.getByTestId('chat-panel')).toBeHidden();
  await sendChat(ann.page, 'are you there?');
  await expect(ben.page.getByTestId('chat-unread')).toHaveText('1');
  await ben.page.getByTestId('chat-toggle').click();
  await expect(ben.page.getByTestId('chat-unread')).toBeHidden();
  await expect(ben.page.getByTestId('chat-text').last()).toHaveText('are you there?');

  // The length limit shows before sending.
  await ben.page.getByTestId('chat-input').fill('x'.repeat(2001));
  await expect(ben.page.getByTestId('chat-left')).toHaveText('-1 left');
  await expect(ben.page.getByTestId('chat-send')).toBeDisabled();
  await ben.page.getByTestId('chat-input').fill('');

  // History: 30 more messages (under the rate limit), then a fresh page shows the newest 30
  // and scrolling to the top loads the rest.
  // (The test server lets a connection post faster than people may.)
  for (let i = 0; i < 28; i++) {
    await sendChat(ann.page, `message ${i}`);
  }
  for (let i = 0; i < 3; i++) {
    await sendChat(ben.page, `from Ben ${i}`);
  }
  await expect(ann.page.getByTestId('chat-text')).toHaveCount(33);
  const fresh = await ben.context.newPage();
  await open(fresh, ben.page.url());
  await waitForBoard(fresh);
  await fresh.getByTestId('chat-toggle').click();
  await expect(fresh.getByTestId('chat-text')).toHaveCount(30);
  await expect(fresh.getByTestId('chat-text').first()).toHaveText('message 1');
  await fresh.getByTestId('chat-messages').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
  await expect(fresh.getByTestId('chat-text')).toHaveCount(33);
  await expect(fresh.getByTestId('chat-text').first()).toHaveText(payload);
  // Consecutive messages of one person share one header.
  expect(await fresh.locator('.chat-message.head').count()).toBeLessThan(33);
  await ann.context.close();
  await ben.context.close();
});

test('a style change made by one person appears identically for the other and survives reload', async ({ browser }) => {
  const { ann, ben } = await annAndBen(browser, 'Styles');
  await ann.page.keyboard.press('r');
  await dragThrough(ann.page, [[120, 160], [320, 300]]);
  await expect(ann.page.getByTestId('element-count')).toHaveText('1 element');
  const panel = ann.page.getByTestId('selection-panel');
  await panel.locator('[data-color="#a5d8ff"]').click();
  await panel.getByRole('button', { name: 'Zigzag', exact: true }).click();
  await panel.getByRole('button', { name: 'Dashed', exact: true }).click();
  await panel.getByRole('button', { name: 'Cartoonist', exact: true }).click();
  await panel.getByRole('button', { name: 'Round', exact: true }).click();
  await panel.getByTestId('opacity').fill('60');
  await panel.getByTestId('opacity').dispatchEvent('change');

  // An arrow with a dot at its start; a text in the code font.
  await ann.page.locator('[data-tool=arrow]').click();
  await dragThrough(ann.page, [[420, 200], [600, 260]]);
  await panel.getByTestId('start-arrowhead').selectOption('dot');
  await ann.page.locator('[data-tool=text]').click();
  await clickAt(ann.page, 160, 420);
  await ann.page.keyboard.type('styled');
  await ann.page.keyboard.press('Escape');
  await clickAt(ann.page, 170, 425);
  await panel.getByRole('button', { name: 'Code', exact: true }).click();

  const expected = {
    rectangle: { backgroundColor: '#a5d8ff', fillStyle: 'zigzag', strokeStyle: 'dashed', roughness: 2, roundness: 'round', opacity: 60 },
    arrow: { startArrowhead: 'dot' },
    text: { fontFamily: 'code', text: 'styled' },
  };
  // Each element's properties (the bookkeeping of versions and times is per replica).
  const byKind = async (page: Page) => Object.fromEntries((await scene(page)).map((e: any) => {
    const { version, versionNonce, updatedAt, ...props } = e;
    void version; void versionNonce; void updatedAt;
    return [e.kind, props];
  }));
  await expect.poll(async () => (await byKind(ann.page)).text?.fontFamily).toBe('code');
  const mine = await byKind(ann.page);
  for (const [kind, props] of Object.entries(expected)) {
    expect(mine[kind]).toMatchObject(props);
  }
  // Ben's copy is the same element, property for property.
  await expect.poll(async () => JSON.stringify(await byKind(ben.page))).toBe(JSON.stringify(mine));
  // And so is the board after a reload.
  await ben.page.reload();
  await waitForBoard(ben.page);
  await expect.poll(async () => (await byKind(ben.page)).text?.fontFamily).toBe('code');
  const reloaded = await byKind(ben.page);
  for (const kind of Object.keys(expected)) {
    expect(reloaded[kind]).toEqual(mine[kind]);
  }

  // Copy styles onto another shape, as one undoable step. (New shapes take the panel's last
  // choices, so the ellipse is made plain first.)
  await ann.page.keyboard.press('Escape');
  await ann.page.locator('[data-tool=ellipse]').click();
  await dragThrough(ann.page, [[700, 300], [820, 380]]);
  await panel.getByRole('button', { name: 'Solid', exact: true }).first().click();
  await panel.getByRole('button', { name: 'Architect', exact: true }).click();
  await expect.poll(async () => (await byKind(ann.page)).ellipse?.roughness).toBe(0);
  await clickAt(ann.page, 220, 160);
  await ann.page.keyboard.press('Control+Alt+c');
  await clickAt(ann.page, 700, 340);
  await ann.page.keyboard.press('Control+Alt+v');
  await expect.poll(async () => (await byKind(ann.page)).ellipse?.fillStyle).toBe('zigzag');
  expect((await byKind(ann.page)).ellipse).toMatchObject({ strokeStyle: 'dashed', roughness: 2, opacity: 60 });
  await ann.page.keyboard.press('Control+z');
  await expect.poll(async () => (await byKind(ann.page)).ellipse?.roughness).toBe(0);
  expect((await byKind(ann.page)).ellipse?.fillStyle).toBe('solid');
  await ann.context.close();
  await ben.context.close();
});

test('presence: joining and leaving are announced, drawing shows on the other screen, the laser is shared and stored nowhere', async ({ browser }) => {
  const { ann, ben, room } = await annAndBen(browser, 'Presence');
  await expect(ann.page.getByTestId('participant-count')).toHaveText('2 here');
  const benId = await ben.page.evaluate(() => document.querySelector('[data-testid=people] .person:disabled')?.getAttribute('data-user'));
  expect(benId).toBeTruthy();

  // While Ben draws, Ann sees it.
  await ben.page.keyboard.press('p');
  const box = (await ben.page.getByTestId('board-canvas').boundingBox())!;
  await ben.page.mouse.move(box.x + 200, box.y + 200);
  await ben.page.mouse.down();
  await ben.page.mouse.move(box.x + 260, box.y + 240, { steps: 5 });
  const activity = ann.page.locator(`[data-testid=activity][data-user="${benId}"]`);
  await expect(activity).toHaveAttribute('data-activity', 'drawing');
  await expect(activity).toContainText('Ben is drawing');
  await ben.page.mouse.up();
  await expect(activity).toBeHidden();

  // The laser: Ann's board shows Ben's trail; the scene does not change.
  const count = await scene(ann.page).then((s) => s.length);
  await ben.page.keyboard.press('k');
  const overlayInk = () => ann.page.evaluate(() => (window as any).__inkroom.laserPoints());
  await ben.page.mouse.move(box.x + 400, box.y + 300);
  await ben.page.mouse.down();
  // Points older than a second fade, so the trail is measured while it is drawn.
  let longest = 0;
  for (let i = 1; i <= 12; i++) {
    await ben.page.mouse.move(box.x + 400 + i * 15, box.y + 300 + i * 5);
    await ben.page.waitForTimeout(40);
    longest = Math.max(longest, await overlayInk());
  }
  expect(longest).toBeGreaterThan(1);
  // While the button is held, the pointer's own point stays lit on the other screen.
  await expect.poll(overlayInk, { timeout: 5_000 }).toBeGreaterThan(0);
  await ben.page.mouse.up();
  // The trail fades away, and nothing was added to anyone's board.
  await expect.poll(overlayInk, { timeout: 5_000 }).toBe(0);
  expect((await scene(ann.page)).length).toBe(count);

  // Ben leaves: Ann is told.
  await ben.context.close();
  await expect(ann.page.getByTestId('toast')).toContainText('Ben left');
  await expect(ann.page.getByTestId('participant-count')).toHaveText('1 here');
  void room;
  await ann.context.close();
});

test('the dark theme toggles, inverts the canvas and persists across reload; board preferences too', async ({ browser }) => {
  const { ann, ben } = await annAndBen(browser, 'Theme');
  await ben.context.close();
  const page = ann.page;
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? 'system');
  const filter = () => page.evaluate(() => getComputedStyle(document.querySelector('.board-canvas')!).filter);
  await page.getByTestId('theme-toggle').click();
  expect(await theme()).toBe('dark');
  expect(await filter()).toContain('invert');
  // The grid and the tool lock are remembered too.
  await page.getByTestId('grid').click();
  await page.getByTestId('tool-lock').click();
  await page.reload();
  await waitForBoard(page);
  expect(await theme()).toBe('dark');
  expect(await filter()).toContain('invert');
  await expect(page.getByTestId('grid')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('tool-lock')).toHaveAttribute('aria-pressed', 'true');
  // Other pages follow.
  await open(page, '/');
  expect(await theme()).toBe('dark');
  await page.getByTestId('theme-toggle').click();
  expect(await theme()).toBe('light');
  await ann.context.close();
});

test('toolbar icons are SVG and carry their shortcut digit; help lists the new shortcuts', async ({ browser }) => {
  const { ann, ben } = await annAndBen(browser, 'Icons');
  await ben.context.close();
  const page = ann.page;
  for (const tool of ['hand', 'select', 'rectangle', 'laser', 'freedraw']) {
    await expect(page.locator(`[data-tool=${tool}] svg.icon`)).toHaveCount(1);
  }
  await expect(page.locator('[data-tool=rectangle] .tool-key')).toHaveText('2');
  await page.keyboard.press('?');
  const help = page.getByTestId('help');
  await expect(help).toContainText('Ctrl + Alt + C / Ctrl + Alt + V');
  await expect(help).toContainText('Open the chat');
  await expect(help).toContainText('Finish the text');
  await ann.context.close();
});

test('the PNG export of a sloppy shape matches its golden file', async ({ page }) => {
  const room = await openNewBoard(page, 'Sketcher');
  // A cartoonist's cross-hatched box: the strokes follow from its seed, fixed by its place in
  // the paint order, so the picture is the same on every run.
  await page.keyboard.press('r');
  const panel = page.getByTestId('selection-panel');
  await panel.locator('[data-color="#a5d8ff"]').click();
  await panel.getByRole('button', { name: 'Cross-hatch', exact: true }).click();
  await panel.getByRole('button', { name: 'Cartoonist', exact: true }).click();
  await dragThrough(page, [[200, 200], [360, 300]]);
  await expect.poll(async () => (await scene(page))[0]?.roughness).toBe(2);
  // Acknowledged (and so in the server's copy) once the link reports nothing pending.
  let png: Buffer = Buffer.alloc(0);
  await expect.poll(async () => {
    const res = await page.request.get(`/api/rooms/${room.slug}/export.png`);
    png = await res.body();
    return res.status() === 200 && png.length > 1000;
  }).toBe(true);
  const golden = path.join(__dirname, '..', 'golden', 'sloppy.png');
  if (process.env.INKROOM_BLESS === '1' || !fs.existsSync(golden)) {
    if (process.env.INKROOM_BLESS !== '1') throw new Error(`missing ${golden} (bless with INKROOM_BLESS=1)`);
    fs.writeFileSync(golden, png);
  }
  // Compare pixels in the page (a decoder for free): a small tolerance for anti-aliasing.
  const differing = await page.evaluate(async ([a, b]) => {
    const load = async (b64: string) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return { w: img.width, h: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
    };
    const [x, y] = [await load(a), await load(b)];
    if (x.w !== y.w || x.h !== y.h) return -1;
    let bad = 0;
    for (let i = 0; i < x.data.length; i += 4) {
      for (let k = 0; k < 4; k++) if (Math.abs(x.data[i + k] - y.data[i + k]) > 24) { bad++; break; }
    }
    return bad / (x.w * x.h);
  }, [png.toString('base64'), fs.readFileSync(golden).toString('base64')]);
  expect(differing).toBeGreaterThanOrEqual(0);
  expect(differing).toBeLessThan(0.002);
});

test('the export dialog downloads the board as PNG at the chosen scale, SVG and JSON', async ({ page }) => {
  const room = await openNewBoard(page, 'Exporter');
  await page.keyboard.press('r');
  await dragThrough(page, [[200, 200], [300, 260]]);
  await expect(page.getByTestId('element-count')).toHaveText('1 element');
  await page.getByTestId('export-open').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: '3×', exact: true }).click();
  await expect(dialog.getByTestId('export-png')).toHaveAttribute('href', `/api/rooms/${room.slug}/export.png?scale=3`);
  const download = async (id: string) => {
    const [file] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId(id).click()]);
    return fs.readFileSync((await file.path())!);
  };
  // Wait until the rectangle is acknowledged (in the server's copy) before exporting.
  await expect.poll(async () => (await page.request.get(`/api/rooms/${room.slug}/export.json`)).text())
    .toContain('rectangle');
  const png = await download('export-png');
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  // 3×: the 100 × 60 box plus padding is well over 300 px wide.
  expect(png.readUInt32BE(16)).toBeGreaterThan(300);
  expect((await download('export-svg')).toString()).toContain('<svg');
  expect(JSON.parse((await download('export-json')).toString()).elements).toHaveLength(1);
});

// Canvas benchmark: frame times while panning and zooming boards of 1k, 10k and 100k generated
// elements, drawn exactly (roughness 0) and with the hand-drawn look (roughness 1) side by side,
// time to first paint, and the gzip size of what a browser downloads. Run through scripts/bench-canvas; prints a table and writes bench-results.json.
//
// A "frame time" is what the engine spends per painted frame in the page: scene → drawing
// commands (R-tree culling, level of detail) → Canvas 2D calls, measured with
// performance.now() inside the wasm (`__inkroom.frameTimes()`). The browser's own compositing
// afterwards is not included.
import { test, expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createRoomViaApi, open, signUpViaApi, waitForBoard } from '../tests/helpers';

type Stats = { frames: number; median: number; p95: number; max: number };

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))] ?? NaN;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { frames: s.length, median: round(at(0.5)), p95: round(at(0.95)), max: round(s[s.length - 1] ?? NaN) };
}

async function nextFrames(page: Page, n = 2) {
  await page.evaluate((n) => new Promise<void>((done) => {
    let left = n;
    const tick = () => (--left <= 0 ? done() : requestAnimationFrame(tick));
    requestAnimationFrame(tick);
  }), n);
}

async function frameTimes(page: Page): Promise<number[]> {
  return JSON.parse(await page.evaluate(() => (window as any).__inkroom.frameTimes()));
}

/** Scrolls (pans) or ctrl-scrolls (zooms) `steps` times, one step per frame. */
async function gesture(page: Page, steps: number, zoom: boolean) {
  const box = (await page.locator('.board canvas').first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  if (zoom) await page.keyboard.down('Control');
  for (let i = 0; i < steps; i++) {
    const dy = zoom ? (i % 20 < 10 ? 60 : -60) : 0;
    const dx = zoom ? 0 : (i % 40 < 20 ? 80 : -80);
    await page.mouse.wheel(dx, dy);
    await nextFrames(page, 1);
  }
  if (zoom) await page.keyboard.up('Control');
}

test('canvas frame times at 1k, 10k and 100k elements, exact and hand-drawn', async ({ page, request }) => {
  await signUpViaApi(request, 'Bench');
  const room = await createRoomViaApi(request, 'Bench', false);
  const results: Record<string, unknown> = {};

  for (const n of [1_000, 10_000, 100_000]) for (const roughness of [0, 1]) {
    await open(page, `/r/${room.slug}`);
    await waitForBoard(page);
    await frameTimes(page);
    // First paint: generating and indexing the board plus the first frame.
    const firstPaint = await page.evaluate(async ([n, roughness]) => {
      const t0 = performance.now();
      (window as any).__inkroom.bench(n, roughness);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - t0;
    }, [n, roughness]);
    // Two views: close (100 %: shapes of 40-100 px, drawn with the hand-drawn look) and the
    // overview (12 wheel steps out: a large part of the board, the hard case for culling, where
    // shapes are a few pixels and drawn exactly).
    const box = (await page.locator('.board canvas').first().boundingBox())!;
    const views: Record<string, unknown> = {};
    for (const [view, steps] of [['close', 0], ['overview', 12]] as const) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.keyboard.down('Control');
      for (let i = 0; i < steps; i++) {
        await page.mouse.wheel(0, 120);
        await nextFrames(page, 1);
      }
      await page.keyboard.up('Control');
      await frameTimes(page);
      await gesture(page, 120, false);
      const pan = stats(await frameTimes(page));
      await gesture(page, 120, true);
      const zoom = stats(await frameTimes(page));
      expect(pan.frames).toBeGreaterThan(30);
      views[view] = { pan, zoom };
    }
    results[`${n} roughness ${roughness}`] = { first_paint_ms: Math.round(firstPaint), ...views };
  }

  const site = process.env.INKROOM_SITE;
  if (site) {
    const assets = JSON.parse(fs.readFileSync(path.join(site, 'assets.json'), 'utf8'));
    const gz = (url: string) => zlib.gzipSync(fs.readFileSync(path.join(site, url)), { level: 9 }).length;
    results.bundle_gzip_bytes = { wasm: gz(assets.wasm), js: gz(assets.js), css: gz(assets.css) };
  }
  console.log(JSON.stringify(results, null, 2));
  fs.writeFileSync('bench-results.json', JSON.stringify(results, null, 2) + '\n');
});

// End-to-end tests drive Debian's Chromium (browser downloads are not possible on our machines).
// scripts/test builds the server and site, then sets INKROOM_BIN and INKROOM_E2E_PORT.
import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';

const port = Number(process.env.INKROOM_E2E_PORT ?? 3100);
const bin = process.env.INKROOM_BIN;
if (!bin) {
  throw new Error('INKROOM_BIN is not set: run the end-to-end tests through scripts/test');
}
// Made once by the runner and inherited by its workers (they load this file again), so tests can
// run the binary's storage commands (`challenges import`, `admin grant`) on the server's database.
const dataDir = process.env.INKROOM_E2E_DATA
  ?? (process.env.INKROOM_E2E_DATA = fs.mkdtempSync(path.join(os.tmpdir(), 'inkroom-e2e-')));

export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  // No retries: a test that fails once is a failure (the hydration panic that once needed a
  // retry is fixed at its cause; see docs/architecture.md, "Hydration").
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: {
    // Many accounts are made in seconds from one address, and the chat test posts a few pages of
    // history at once: those rate limits are for people.
    command: `"${bin}" --listen 127.0.0.1:${port} --data-dir "${dataDir}" --log warn --auth-rate-per-minute 100000 --chat-per-minute 6000`,
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

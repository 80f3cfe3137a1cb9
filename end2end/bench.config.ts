// The canvas benchmark (scripts/bench-canvas): the end-to-end setup, one worker, no time limit
// per run beyond ten minutes, and only the files under bench/.
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  fullyParallel: false,
  workers: 1,
  timeout: 600_000,
});

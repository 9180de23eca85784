import { defineConfig } from 'vitest/config';

// Browser flows against the built server in Debian's Chromium. One server for the run (global setup),
// files run one after another so the 2-core machine is not oversubscribed.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    globalSetup: ['tests/setup/e2e-global.ts'],
    // per file: no policy violation in any test, and every visited page passes the Nu HTML Checker (one run per file)
    setupFiles: ['tests/setup/e2e-file.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

// Three projects: pure modules (fast), the app through HTTP (needs a database and stores),
// and the browser (needs the system Chromium). `npm test` runs all three.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/access/**/*.test.ts', 'test/regional/**/*.test.ts'],
          environment: 'node',
          // Property tests run thousands of cases; a busy two-core machine needs headroom.
          testTimeout: 60000,
        },
      },
      {
        test: {
          name: 'app',
          include: [
            'test/http/**/*.test.ts',
            'test/features/**/*.test.ts',
            'test/db/**/*.test.ts',
            'test/i18n/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 20000,
          hookTimeout: 60000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60000,
          hookTimeout: 60000,
          fileParallelism: false,
        },
      },
    ],
  },
});

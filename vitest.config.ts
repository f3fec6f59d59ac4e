import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** test/leaks/ searches what every other test file produced, so it runs after all of them. */
class LeakCheckLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLeakCheck = (f: TestSpecification) => f.moduleId.includes('/test/leaks/');
    return [...sorted.filter((f) => !isLeakCheck(f)), ...sorted.filter(isLeakCheck)];
  }
}

// Three projects: pure modules (fast), the app through HTTP (needs a database and stores),
// and the browser (needs the system Chromium). `npm test` runs all three.
export default defineConfig({
  test: {
    sequence: { sequencer: LeakCheckLast },
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
            'test/hostile/**/*.test.ts',
            'test/leaks/**/*.test.ts',
          ],
          globalSetup: ['test/helpers/capture-setup.ts'],
          environment: 'node',
          testTimeout: 20000,
          hookTimeout: 60000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/leaks/**/*.test.ts'],
          globalSetup: ['test/helpers/capture-setup.ts'],
          environment: 'node',
          testTimeout: 60000,
          hookTimeout: 60000,
          fileParallelism: false,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `bed` starts real containers and so runs its
// files one at a time (two beds at once would compete for the machine's two cores).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/bed/**'],
        },
      },
      {
        test: {
          name: 'bed',
          include: ['test/bed/**/*.test.ts'],
          globalSetup: ['test/bed/global-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});

import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import RunSummaryReporter from './test/support/run-summary-reporter.ts';

// Where a test process that dies of a fatal error (V8 out of memory, a native abort) leaves its
// Node.js diagnostic report; the summary reporter prints them at the end of the run.
const crashReports = path.join(os.tmpdir(), `modelgres-test-crash-reports-${process.pid}`);
mkdirSync(crashReports, { recursive: true });

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one PostgreSQL; files run in parallel on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    execArgv: ['--report-on-fatalerror', `--report-directory=${crashReports}`],
    reporters: ['default', new RunSummaryReporter(crashReports)],
  },
});

import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Says, as the very last lines of a run, which test files did not pass and which of their tests
 * never finished, and prints the Node.js diagnostic reports a crashed test process left (a worker
 * that dies natively gets no other word in: vitest only says "Worker exited unexpectedly", and CI
 * shows the end of the output).
 */
export default class RunSummaryReporter implements Reporter {
  constructor(private readonly reportDir: string) {}

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const lines: string[] = [];
    for (const module of modules) {
      const state = module.state();
      if (state === 'passed' || state === 'skipped') continue;
      const open = [...module.children.allTests()].filter((t) => t.result().state !== 'passed' && t.result().state !== 'skipped');
      lines.push(`${module.relativeModuleId}: ${state}; ${open.map((t) => `"${t.name}" ${t.result().state}`).join(', ') || 'no test reported'}`);
    }
    lines.push(...(await this.crashReports()));
    if (lines.length > 0) process.stdout.write(`\nTest files that did not pass, and crash reports:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  }

  /** The reports node --report-on-fatalerror wrote (one JSON file per crash), summarised; then their directory is removed. */
  private async crashReports(): Promise<string[]> {
    const files = (await readdir(this.reportDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
    const lines: string[] = [];
    for (const file of files) {
      const full = path.join(this.reportDir, file);
      try {
        const report = JSON.parse(await readFile(full, 'utf8')) as {
          header?: { event?: string; trigger?: string; commandLine?: string[] };
          javascriptStack?: { message?: string; stack?: string[] };
          nativeStack?: Array<{ symbol?: string }>;
        };
        lines.push(`crash report ${file}: ${report.header?.trigger}: ${report.header?.event}`);
        lines.push(`  ${report.javascriptStack?.message ?? ''} ${(report.javascriptStack?.stack ?? []).slice(0, 6).join(' | ')}`);
        // The first frames are the report's own machinery.
        const frames = (report.nativeStack ?? []).map((f) => f.symbol ?? '').filter((s) => !/Report|OnFatalError|OOMErrorHandler/.test(s));
        lines.push(`  native: ${frames.slice(0, 12).join(' | ')}`);
      } catch (error) {
        lines.push(`crash report ${file}: unreadable (${(error as Error).message})`);
      }
    }
    await rm(this.reportDir, { recursive: true, force: true });
    return lines;
  }
}

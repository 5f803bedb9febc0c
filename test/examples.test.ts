import { afterAll, beforeAll, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestProxy, type TestProxy } from './support/test-proxy.ts';

const root = path.resolve(import.meta.dirname, '..');
let proxy: TestProxy;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
});
afterAll(() => proxy.close());

/** psql -f, unaligned and tuples only, so each result row is one "a|b" line. */
async function psqlFile(file: string): Promise<string> {
  const { stdout } = await promisify(execFile)('psql', [proxy.url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', file], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** The rows printed after an \echo marker, up to the next marker or blank line. */
function section(output: string, marker: string): string[][] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l === `== ${marker} ==`);
  expect(start, marker).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '' || line.startsWith('==')) break;
    rows.push(line.split('|'));
  }
  return rows;
}

// Two examples train models through psql: minutes, not seconds, on a loaded 2-core machine.
test('examples/redshift-versioning.sql runs through psql as Redshift users write it', async () => {
  await psqlFile('examples/bike-share.sql');
  const out = await psqlFile('examples/redshift-versioning.sql');

  const dated = section(out, 'the model and its dated copy on the same rows');
  expect(dated).toHaveLength(24);
  for (const [model, copy] of dated) expect(copy).toBe(model);

  const metrics = section(out, 'validation metrics');
  expect(metrics.map((r) => r[0])).toEqual(['predict_rental_count', 'predict_rental_count_new']);
  for (const r of metrics) expect(Number(r[2])).toBeGreaterThan(0);

  const recreated = section(out, 'the recreated model and the new one on the same rows');
  expect(recreated).toHaveLength(24);
  for (const [again, fresh] of recreated) expect(again).toBe(fresh);
  // The recreated function is the newer model, not the 2023 one.
  expect(recreated.map((r) => r[0])).not.toEqual(dated.map((r) => r[0]));

  const sideBySide = section(out, 'version 1 and version 2 side by side');
  expect(sideBySide).toHaveLength(5);
  for (const [v1, v2, active] of sideBySide) {
    expect(v1).not.toBe(v2);
    expect(active).toBe(v1); // MANUAL: version 2 waited to be activated
  }
  const [[activeAfter, v2]] = section(out, 'after activating version 2');
  expect(activeAfter).toBe(v2);
  const [[activeRolledBack, v1]] = section(out, 'after rolling back');
  expect(activeRolledBack).toBe(v1);
}, 240_000);

import { afterAll, beforeAll, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestProxy, type TestProxy } from './support/test-proxy.ts';
import { waitForModel } from './support/models.ts';

const root = path.resolve(import.meta.dirname, '..');
let proxy: TestProxy;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
});
afterAll(() => proxy.close());

/** The README's code blocks of one language, in order. */
function blocks(language: string): string[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

/** Runs psql without blocking: the proxy under test lives in this process. */
async function psql(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('psql', [proxy.url, '-X', '-v', 'ON_ERROR_STOP=1', ...args], { cwd: root });
  return stdout;
}

test('the five-minute walk of the README runs as written through psql', async () => {
  // The shell block: load the demo data with psql -f.
  const load = blocks('sh').find((b) => b.includes('examples/bike-share.sql'))!;
  const fileArg = /-f (\S+)/.exec(load)![1];
  expect(await psql(['-f', fileArg])).toContain('SELECT 17520');

  const sql = blocks('sql').filter((b) => /MODEL|predict_rental_count/.test(b));
  const [create, show, select] = sql;
  expect(await psql(['-c', create])).toContain('CREATE MODEL');
  expect(await psql(['-c', show])).toMatch(/Model State\s+\| (TRAINING|READY)/);

  const c = await proxy.client();
  const state = await waitForModel(c, 'predict_rental_count');
  expect(state.get('Model State')).toBe('READY');
  const shown = await psql(['-c', show]);
  expect(shown).toMatch(/validation:mse\s+\| \d/);

  const out = await psql(['-A', '-F', ',', '-c', select]);
  const lines = out.trim().split('\n');
  expect(lines[0]).toBe('hour,weekday,weather,trip_count,predicted');
  expect(lines).toHaveLength(1 + 5 + 1); // header, five rows, "(5 rows)"
  for (const line of lines.slice(1, 6)) {
    const [, , , actual, predicted] = line.split(',');
    expect(Math.abs(Number(predicted) - Number(actual))).toBeLessThan(40);
  }
  await psql(['-c', 'DROP MODEL predict_rental_count']);
});

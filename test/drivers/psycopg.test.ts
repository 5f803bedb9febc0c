import { afterAll, beforeAll, describe, test } from 'vitest';
import path from 'node:path';
import { startDriverFixture, type DriverFixture } from './driver-fixture.ts';

/** Debian's python3-psycopg lives in the system Python, whatever python3 is first on PATH. */
const PYTHON = '/usr/bin/python3';
const PROGRAM = path.join(import.meta.dirname, 'psycopg_program.py');

let fixture: DriverFixture;
beforeAll(async () => {
  fixture = await startDriverFixture();
});
afterAll(() => fixture.proxy.close());

const check = (report: Awaited<ReturnType<DriverFixture['run']>>) =>
  fixture.check(report, { driver: 'psycopg', errorType: 'psycopg.errors.UndefinedObject' });

describe('psycopg 3 through the proxy', () => {
  // The first run creates the model; the second only waits for it (training once per file).
  test('text formats, prepare=True, a server-side cursor fetching 500 rows at a time', async () => {
    await check(await fixture.run(PYTHON, [PROGRAM, fixture.proxy.url], { create: true }));
  });

  test('binary parameters (%b) and binary results', async () => {
    await check(await fixture.run(PYTHON, [PROGRAM, fixture.proxy.url, '--binary']));
  });
});

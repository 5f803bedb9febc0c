import { afterAll, beforeAll, describe, test } from 'vitest';
import path from 'node:path';
import { startDriverFixture, type DriverFixture } from './driver-fixture.ts';

/** Debian's python3-asyncpg lives in the system Python, whatever python3 is first on PATH. */
const PYTHON = '/usr/bin/python3';
const PROGRAM = path.join(import.meta.dirname, 'asyncpg_program.py');

let fixture: DriverFixture;
beforeAll(async () => {
  fixture = await startDriverFixture();
});
afterAll(() => fixture.proxy.close());

describe('asyncpg through the proxy', () => {
  test('binary results throughout: prepared calls, 10,000 rows scored through a cursor of 500, probabilities, SHOW MODEL, pg_catalog, SQLSTATE', async () => {
    const report = await fixture.run(PYTHON, [PROGRAM, fixture.proxy.url], { create: true });
    await fixture.check(report, { driver: 'asyncpg', errorType: 'asyncpg.exceptions.UndefinedObjectError' });
  });
});

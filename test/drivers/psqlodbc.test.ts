import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import path from 'node:path';
import { FUNCTION, startDriverFixture, type DriverFixture } from './driver-fixture.ts';

/** Debian's python3-pyodbc lives in the system Python, whatever python3 is first on PATH. */
const PYTHON = '/usr/bin/python3';
const PROGRAM = path.join(import.meta.dirname, 'odbc_program.py');
/** Debian's odbc-postgresql, the Unicode driver (registered in /etc/odbcinst.ini as "PostgreSQL Unicode"). */
const DRIVER = '/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so';

let fixture: DriverFixture;
beforeAll(async () => {
  fixture = await startDriverFixture();
});
afterAll(() => fixture.proxy.close());

describe('psqlODBC through the proxy', () => {
  test('UseServerSidePrepare=1, UseDeclareFetch=1 with Fetch=500: prepared calls, 10,000 rows, probabilities, SHOW MODEL, SQLProcedures, SQLSTATE', async () => {
    const url = new URL(fixture.proxy.url);
    const report = await fixture.run(PYTHON, [PROGRAM, DRIVER, url.hostname, url.port, url.pathname.slice(1)], { create: true });
    await fixture.check(report, { driver: 'psqlodbc', errorType: /^pyodbc\./ });
    expect(report.cursors?.filter((c) => /^declare .* cursor .* for select id, drv_fn\(a, b\)/is.test(c))).toHaveLength(1);
    expect(report.procedures).toContain(FUNCTION);
    expect(report.procedures).toContain(`${FUNCTION}_probabilities`);
  });
});

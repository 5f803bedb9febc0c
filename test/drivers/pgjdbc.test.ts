import { afterAll, beforeAll, describe, test } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../support/run-command.ts';
import { startDriverFixture, type DriverFixture } from './driver-fixture.ts';

/** Debian's libpostgresql-jdbc-java (scripts/system-packages.sh installs it with the JDK). */
const JAR = '/usr/share/java/postgresql.jar';
const SOURCE = path.join(import.meta.dirname, 'JdbcProgram.java');

let fixture: DriverFixture;
let classes: string;
beforeAll(async () => {
  classes = await mkdtemp(path.join(os.tmpdir(), 'modelgres-jdbc-'));
  // Compiled once for the three runs (javac and the training run side by side).
  const [compiled, started] = await Promise.all([
    runCommand('javac', ['-d', classes, '-cp', JAR, SOURCE]),
    startDriverFixture(),
  ]);
  fixture = started;
  if (compiled.status !== 0) throw new Error(`javac failed: ${compiled.stderr}`);
});
afterAll(async () => {
  await fixture?.proxy.close();
  await rm(classes, { recursive: true, force: true });
});

function jdbcUrl(settings: string): string {
  const url = new URL(fixture.proxy.url);
  return `jdbc:postgresql://${url.host}${url.pathname}?user=postgres${settings}`;
}

async function runJdbc(settings: string, create = false) {
  const report = await fixture.run('java', ['-cp', `${classes}:${JAR}`, 'JdbcProgram', jdbcUrl(settings)], { create });
  await fixture.check(report, { driver: 'pgjdbc', errorType: 'org.postgresql.util.PSQLException' });
}

describe('pgJDBC through the proxy', () => {
  // The first run creates the model; the others only wait for it (training once per file).
  test('defaults (prepareThreshold=5: the sixth execution and on use a named server statement)', async () => {
    await runJdbc('', true);
  });

  test('prepareThreshold=1: a named server statement from the first execution', async () => {
    await runJdbc('&prepareThreshold=1');
  });

  test('binaryTransfer=true', async () => {
    await runJdbc('&binaryTransfer=true');
  });

  test('binaryTransfer=true with prepareThreshold=-1: binary results from the first execution (forceBinary)', async () => {
    await runJdbc('&binaryTransfer=true&prepareThreshold=-1');
  });
});

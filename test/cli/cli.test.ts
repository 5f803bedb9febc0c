import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseCliOptions, UsageError } from '../../src/cli/cli-options.ts';
import { MIGRATE_HELP, START_HELP } from '../../src/cli/help.ts';

const root = path.resolve(import.meta.dirname, '../..');

function modelgres(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, encoding: 'utf8' });
}

describe('modelgres command line', () => {
  test('--help documents every flag the parser accepts', () => {
    const start = modelgres('start', '--help');
    expect(start.status).toBe(0);
    expect(start.stdout).toBe(START_HELP);
    for (const flag of ['--upstream', '--host', '--port', '--data-dir', '--embedded-port', '--tls-cert', '--tls-key', '--workers', '--lease-seconds', '--model-dir', '--max-model-mb', '--log-level', '--help']) {
      expect(START_HELP).toContain(flag);
    }
    for (const flag of ['--upstream', '--data-dir', '--embedded-port', '--log-level', '--help']) {
      expect(MIGRATE_HELP).toContain(flag);
    }
    expect(modelgres('--help').stdout).toContain('modelgres start');
  });

  test('an unknown flag or command is a usage error with exit code 2', () => {
    const bad = modelgres('start', '--prot', '1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--prot'");
    expect(modelgres('serve').status).toBe(2);
  });

  test('flags win over environment variables, which win over defaults', () => {
    const env = { MODELGRES_PORT: '7000', MODELGRES_UPSTREAM: 'postgres://env/db' };
    expect(parseCliOptions([], {})).toMatchObject({ port: 6433, host: '127.0.0.1', dataDir: '.modelgres', upstream: undefined });
    expect(parseCliOptions([], env)).toMatchObject({ port: 7000, upstream: 'postgres://env/db' });
    expect(parseCliOptions(['--port', '7100', '--upstream', 'postgres://flag/db'], env)).toMatchObject({
      port: 7100,
      upstream: 'postgres://flag/db',
    });
    expect(() => parseCliOptions(['--port', 'x'], {})).toThrow(UsageError);
    expect(() => parseCliOptions(['--tls-cert', 'a.pem'], {})).toThrow('--tls-cert and --tls-key go together');
  });
});

import { describe, expect, test } from 'vitest';
import { defaultHba, hbaTrustsLoopback } from '../../src/embedded/hba-file.ts';

describe('whether pg_hba.conf lets the proxy’s loopback connections in without a password', () => {
  test('modelgres’s own defaults: trust without a password, SCRAM with one', () => {
    expect(hbaTrustsLoopback(defaultHba([], false))).toBe(true);
    expect(hbaTrustsLoopback(defaultHba(['host all app 127.0.0.1/32 scram-sha-256'], true))).toBe(false);
  });

  test.each([
    ['host all all 127.0.0.1/32 trust', true],
    ['hostnossl all all 127.0.0.0/8 trust', true],
    ['host all all 0.0.0.0/0 trust', true],
    ['host all all 127.0.0.1 255.255.255.255 trust', true],
    ['host all all 127.0.0.0 255.0.0.0 trust', true],
    ['host all all samehost trust', true],
    ['host all all all trust', true],
    ['host all all localhost trust', true],
    ['host "all" "app" 127.0.0.1/32 trust', true],
    ['host all all \\\n  127.0.0.1/32 trust', true],
    ['host all all 10.0.0.0/8 trust', false],
    ['host all all ::1/128 trust', false],
    ['hostssl all all 127.0.0.1/32 trust', false],
    ['local all all trust', false],
    ['host all all 127.0.0.1/32 scram-sha-256', false],
    ['# host all all 127.0.0.1/32 trust', false],
    ['host all all 127.0.0.1/32 md5 # trust', false],
  ])('%s → %s', (line, trusts) => {
    expect(hbaTrustsLoopback(`local all all peer\n${line}\n`)).toBe(trusts);
  });
});

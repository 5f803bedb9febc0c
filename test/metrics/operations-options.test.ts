import { afterEach, describe, expect, test, vi } from 'vitest';
import { parseCliOptions, UsageError } from '../../src/cli/cli-options.ts';
import { createLogger } from '../../src/util/logger.ts';

describe('--http-port, --http-host, --log-format', () => {
  test('the HTTP listener is off unless a port is given, by flag or MODELGRES_HTTP_PORT; loopback by default', () => {
    expect(parseCliOptions([], {})).toMatchObject({ httpPort: undefined, httpHost: '127.0.0.1', logFormat: 'text' });
    expect(parseCliOptions(['--http-port', '6480'], {})).toMatchObject({ httpPort: 6480, httpHost: '127.0.0.1' });
    expect(parseCliOptions([], { MODELGRES_HTTP_PORT: '7000', MODELGRES_HTTP_HOST: '0.0.0.0' })).toMatchObject({ httpPort: 7000, httpHost: '0.0.0.0' });
    expect(parseCliOptions(['--http-port', '6481'], { MODELGRES_HTTP_PORT: '7000' })).toMatchObject({ httpPort: 6481 });
    expect(() => parseCliOptions(['--http-port', 'x'], {})).toThrow(new UsageError('--http-port must be a port number, not x'));
  });

  test('--log-format is text or json', () => {
    expect(parseCliOptions(['--log-format', 'json'], {})).toMatchObject({ logFormat: 'json' });
    expect(parseCliOptions([], { MODELGRES_LOG_FORMAT: 'json' })).toMatchObject({ logFormat: 'json' });
    expect(() => parseCliOptions(['--log-format', 'xml'], {})).toThrow(new UsageError('--log-format must be text or json, not xml'));
  });
});

describe('createLogger(level, "json")', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function captured(write: () => void): string[] {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    write();
    vi.restoreAllMocks();
    return lines;
  }

  test('one JSON object a line, with time, level, event, message and the fields given', () => {
    const log = createLogger('info', 'json');
    const lines = captured(() => {
      log.info('trained redshiftml-1: GBDT', { event: 'training finished', model: 'public.m', version: 2, client: 'alice', duration: 1234 });
      log.warn('heartbeat failed', new Error('connection reset'));
      log.debug('not shown at info');
    });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'info',
      event: 'training finished',
      message: 'trained redshiftml-1: GBDT',
      model: 'public.m',
      version: 2,
      client: 'alice',
      duration: 1234,
    });
    expect(second).toMatchObject({ level: 'warn', event: 'heartbeat failed', error: 'connection reset' });
  });

  test('text stays one sentence a line', () => {
    const lines = captured(() => createLogger('info').info('listening', { event: 'x' }));
    expect(lines[0]).toMatch(/^\S+ INFO listening\n$/);
  });
});

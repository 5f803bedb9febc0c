/*
 * Run as a child process by test/proxy/upstream-restart.test.ts:
 *   node --import tsx test/support/close-during-outage.ts <upstream url>
 * Starts modelgres, prints "ready", and once PostgreSQL is gone and both LISTEN connections have
 * failed to reconnect at least once (their next attempt is on a timer), closes it and prints
 * "closed". Every log line is printed as "LEVEL message". The process must then exit by itself:
 * a socket or timer left behind would keep it alive.
 */
import { startModelgres } from '../../src/modelgres.ts';
import type { Logger, LogLevel } from '../../src/util/logger.ts';

const url = process.argv[2];
const retried = new Set<string>();
let closing: Promise<void> | null = null;
let close: () => Promise<void> = async () => {};

const line = (level: LogLevel, message: string, error?: unknown) => {
  process.stdout.write(`${level.toUpperCase()} ${message}${error === undefined ? '' : `: ${error instanceof Error ? error.message : String(error)}`}\n`);
  const listener = /^LISTEN (modelgres_\w+): PostgreSQL is still unreachable/.exec(message);
  if (listener) retried.add(listener[1]);
  if (retried.size === 2 && !closing) {
    closing = close().then(() => {
      process.stdout.write('closed\n');
    });
  }
};
const log: Logger = {
  error: (m, e) => line('error', m, e),
  warn: (m, e) => line('warn', m, e),
  info: (m) => line('info', m),
  debug: (m, e) => line('debug', m, e),
};

const modelgres = await startModelgres({ upstreamUrl: url, host: '127.0.0.1', port: 0, workers: 1, log });
close = () => modelgres.close();
process.stdout.write('ready\n');

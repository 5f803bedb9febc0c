import pg from 'pg';
import type { Logger } from '../util/logger.ts';
import { isConnectionLost } from './connection-loss.ts';

export interface UpstreamWaitOptions {
  /** First wait after a failed attempt (default 500 ms); it doubles after each one. */
  initialDelayMs?: number;
  /** Longest wait between attempts (default 10 s). */
  maxDelayMs?: number;
}

/**
 * Waits until PostgreSQL at `url` answers a query. A server that is not there yet (refused, no
 * socket file, starting up, shutting down) is tried again with exponential backoff, one warning
 * line per failed attempt naming the next delay, for as long as it takes: a proxy started before
 * its database (a reboot, a container started out of order) comes up by itself. Anything else
 * (a wrong password, a database that does not exist) is not a matter of waiting, and rejects.
 * Until this resolves the proxy does not listen: no client is accepted that it cannot serve.
 */
export async function waitForUpstream(url: string, log: Logger, options: UpstreamWaitOptions = {}): Promise<void> {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 10_000;
  let delay = initial;
  for (let attempt = 1; ; attempt++) {
    const error = await tryOnce(url);
    if (error === null) {
      if (attempt > 1) log.info(`PostgreSQL at ${describeUpstream(url)} is reachable after ${attempt} attempts`);
      return;
    }
    if (!isConnectionLost(error)) throw error;
    log.warn(`PostgreSQL at ${describeUpstream(url)} is unreachable (attempt ${attempt}: ${reason(error)}); next attempt in ${seconds(delay)}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, max);
  }
}

async function tryOnce(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** host:port, or the socket directory: never the password a URL may carry. */
export function describeUpstream(url: string): string {
  const parsed = new URL(url);
  const socket = parsed.searchParams.get('host');
  const port = parsed.searchParams.get('port') ?? (parsed.port || '5432');
  return socket ? `${socket} (port ${port})` : `${parsed.hostname}:${port}`;
}

function reason(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  return typeof e.code === 'string' && !message.includes(e.code) ? `${e.code} ${message}` : message;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

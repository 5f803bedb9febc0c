import type pg from 'pg';
import type { Logger } from '../util/logger.ts';

/*
 * Background connections (LISTEN, pools of the worker, the drift scheduler, capture) outlive
 * PostgreSQL restarts. While it is down they fail over and over; that is one event to report, a
 * warning when it starts and an info line when it ends, not an error per retry.
 */

/** SQLSTATEs of a server that went away: class 08 (connection exception) and the shutdown codes. */
const SERVER_GONE = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the database system is starting up / shutting down
]);

/** Socket errors of a server that is not (or no longer) there. */
const SOCKET_GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT', 'EAI_AGAIN']);

/** pg's own words for a connection it lost (its errors carry no code). */
const PG_LOST = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout expired',
  'Client was closed and is not queryable',
];

/** Whether `error` means the connection to PostgreSQL is lost, rather than that a statement failed. */
export function isConnectionLost(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (code.startsWith('08') || SERVER_GONE.has(code) || SOCKET_GONE.has(code)) return true;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return PG_LOST.some((m) => message.startsWith(m));
}

/**
 * Reports the outages of one background connection: a warning when it is lost, debug lines while
 * it stays lost, an info line when it is back.
 */
export class OutageLog {
  private since: number | null = null;

  constructor(
    private readonly log: Logger,
    /** Names the connection in log lines: "LISTEN modelgres_catalog", "drift scheduler". */
    private readonly what: string,
  ) {}

  get down(): boolean {
    return this.since !== null;
  }

  /** The connection is lost, whatever `error` is. */
  lostWith(error: unknown): void {
    if (this.since === null) {
      this.since = Date.now();
      this.log.warn(`${this.what}: lost the connection to PostgreSQL, retrying until it is back`, error);
    } else {
      this.log.debug(`${this.what}: PostgreSQL is still unreachable`, error);
    }
  }

  /** True (and reported) when `error` is a lost connection; false for anything else, which the caller reports. */
  lost(error: unknown): boolean {
    if (!isConnectionLost(error)) return false;
    this.lostWith(error);
    return true;
  }

  /** The connection works: after an outage, says so once. */
  recovered(): void {
    if (this.since === null) return;
    const ms = Date.now() - this.since;
    this.since = null;
    this.log.info(`${this.what}: reconnected to PostgreSQL after ${ms} ms`);
  }
}

/**
 * Runs `fn` on a client checked out of `pool`. pg emits a lost connection as an 'error' on the
 * client, and pg-pool listens for it only while the client is idle: a checked-out client without
 * a listener would end the process. The loss still reaches `fn`, as the failure of its query; a
 * client that lost its connection is destroyed rather than returned to the pool.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (e: Error) => {
    lost = e;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (error) {
    if (isConnectionLost(error)) lost ??= error as Error;
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}

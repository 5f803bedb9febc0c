import pg from 'pg';
import type { Logger } from '../util/logger.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { OutageLog } from './connection-loss.ts';

export interface ListenConnectionOptions {
  url: string;
  /** Shown in pg_stat_activity (default: pg's, the URL's if it names one). */
  applicationName?: string;
  channels: readonly string[];
  log: Logger;
  onNotification: (notification: pg.Notification) => void;
  /**
   * Runs after each reconnection, once LISTEN is in place again. Notifications sent while the
   * connection was down are lost: this is where the owner catches up on what it missed.
   */
  onReconnect?: () => Promise<void> | void;
  /** First wait before reconnecting (default 100 ms); it doubles after each failed attempt. */
  initialBackoffMs?: number;
  /** Longest wait between attempts (default 5 s). */
  maxBackoffMs?: number;
}

/**
 * A connection that stays listening: when PostgreSQL goes away (restart, failover, a terminated
 * backend), it connects again with exponential backoff, LISTENs its channels again and calls
 * `onReconnect`. One warning an outage, debug lines per failed attempt, an info line when back.
 */
export class ListenConnection {
  private current: pg.Client | null = null;
  private connecting: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Promise<void> | null = null;
  private stopped = false;
  private backoffMs: number;
  private readonly outage: OutageLog;

  constructor(private readonly options: ListenConnectionOptions) {
    this.backoffMs = this.initialBackoffMs;
    this.outage = new OutageLog(options.log, `LISTEN ${options.channels.join(', ')}`);
  }

  /** Connects and listens. A first connection that fails rejects: a wrong URL should stop startup. */
  async start(): Promise<void> {
    this.current = await this.open();
  }

  /**
   * The listening client while it is connected, null while it reconnects. Queries may share it:
   * a reload that runs on it cannot miss a notification sent after its snapshot.
   */
  get client(): pg.Client | null {
    return this.current;
  }

  /** Ends the connection and any reconnecting; resolves once no socket or timer is left. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.connecting?.end().catch(() => {});
    await this.attempt;
    const client = this.current;
    this.current = null;
    await client?.end().catch(() => {});
  }

  private get initialBackoffMs(): number {
    return this.options.initialBackoffMs ?? 100;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 10_000, application_name: this.options.applicationName });
    // Both fire when the connection is lost ('error' only when pg did not end it itself).
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    client.on('notification', (n) => this.options.onNotification(n));
    this.connecting = client;
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${quoteIdent(channel)}`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    } finally {
      this.connecting = null;
    }
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.current) return;
    this.current = null;
    void client.end().catch(() => {});
    if (this.stopped) return;
    this.outage.lostWith(error);
    this.schedule();
  }

  private schedule(): void {
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 5000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt = this.reconnect().finally(() => {
        this.attempt = null;
      });
    }, wait);
  }

  private async reconnect(): Promise<void> {
    let client: pg.Client;
    try {
      client = await this.open();
    } catch (error) {
      if (this.stopped) return;
      this.outage.lostWith(error);
      this.schedule();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.current = client;
    this.backoffMs = this.initialBackoffMs;
    this.outage.recovered();
    try {
      await this.options.onReconnect?.();
    } catch (error) {
      this.options.log.warn(`LISTEN ${this.options.channels.join(', ')}: catching up after reconnecting failed`, error);
    }
  }
}

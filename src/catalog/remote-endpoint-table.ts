import { ListenConnection } from './listen-connection.ts';
import { isConnectionLost } from './connection-loss.ts';
import { coalescedReload } from './coalesced-reload.ts';
import type { Logger } from '../util/logger.ts';

/**
 * The catalog's remote endpoints (modelgres.remote_endpoint, set by a superuser with
 * modelgres.set_remote_endpoint), kept in memory and current through LISTEN modelgres_endpoints,
 * so a model call finds its URL without a query. A name that is not here yet (set a moment ago,
 * its notification still on the way) is looked up once more before it counts as missing.
 */
export class RemoteEndpointTable {
  private urls = new Map<string, string>();
  private readonly listener: ListenConnection;
  /** Reads the table again; calls while a read runs wait for one more read after it. */
  readonly reload = coalescedReload(() => this.load());

  constructor(
    upstreamUrl: string,
    private readonly log: Logger,
  ) {
    this.listener = new ListenConnection({
      url: upstreamUrl,
      applicationName: 'modelgres endpoints',
      channels: ['modelgres_endpoints'],
      log,
      onNotification: () => void this.reload(),
      onReconnect: () => this.reload(),
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    await this.reload();
  }

  async stop(): Promise<void> {
    await this.listener.stop();
  }

  /** The URL the catalog gives `name`, after one fresh read if it is not known yet. */
  async lookup(name: string): Promise<string | undefined> {
    if (!this.urls.has(name)) await this.reload();
    return this.urls.get(name);
  }

  /** The names the catalog knows, for an error that lists them. */
  names(): string[] {
    return [...this.urls.keys()].sort();
  }

  private async load(): Promise<void> {
    const client = this.listener.client;
    if (!client) return;
    try {
      const r = await client.query<{ name: string; url: string }>('SELECT name, url FROM modelgres.remote_endpoint');
      this.urls = new Map(r.rows.map((row) => [row.name, row.url]));
    } catch (error) {
      // A lost connection is the listener's to report; it reloads once it is back.
      if (isConnectionLost(error)) this.log.debug('reading remote endpoints waits for the catalog listener', error);
      else this.log.warn('reading remote endpoints failed', error);
    }
  }
}

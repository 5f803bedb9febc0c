import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/**
 * Where remote models' endpoints are, by the name CREATE MODEL ... SAGEMAKER 'name' gives: a
 * setting of the proxy (--endpoint name=URL), so the catalog never holds a URL and moving an
 * endpoint is a restart, not a new model version.
 */
export interface RemoteEndpoints {
  readonly urls: ReadonlyMap<string, string>;
  /** How long one request may take before it counts as failed (and is retried). */
  readonly timeoutMs: number;
}

export const DEFAULT_ENDPOINT_TIMEOUT_MS = 30_000;

export const NO_ENDPOINTS: RemoteEndpoints = { urls: new Map(), timeoutMs: DEFAULT_ENDPOINT_TIMEOUT_MS };

/**
 * `name=URL` entries (the --endpoint flags, or MODELGRES_ENDPOINTS split at commas). Throws an
 * Error saying what is wrong with the first bad entry.
 */
export function parseEndpointList(entries: readonly string[]): Map<string, string> {
  const urls = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim() : '';
    const url = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!name || !url) throw new Error(`--endpoint takes name=URL, not ${JSON.stringify(entry)}`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`--endpoint ${name}: ${JSON.stringify(url)} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--endpoint ${name}: the URL must be http or https, not ${parsed.protocol}`);
    if (urls.has(name)) throw new Error(`--endpoint ${name} is given twice`);
    urls.set(name, parsed.href);
  }
  return urls;
}

/** The URL of a configured endpoint; 42704 naming it, and how to configure it, if there is none. */
export function endpointUrl(endpoints: RemoteEndpoints, name: string): string {
  const url = endpoints.urls.get(name);
  if (url !== undefined) return url;
  const known = [...endpoints.urls.keys()];
  throw new ClientError(SqlState.undefinedObject, `remote endpoint "${name}" is not configured in this modelgres`, {
    detail: known.length ? `Configured endpoints: ${known.join(', ')}.` : 'No endpoint is configured.',
    hint: `Start modelgres with --endpoint ${name}=URL (or MODELGRES_ENDPOINTS="${name}=URL").`,
  });
}

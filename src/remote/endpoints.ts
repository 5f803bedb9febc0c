import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/**
 * Where remote models' endpoints are, by the name CREATE MODEL ... SAGEMAKER 'name' gives: a
 * setting of the proxy (--endpoint name=URL), or else the catalog's table that a superuser sets
 * (modelgres.set_remote_endpoint). Versions keep only the name, so moving an endpoint is a new
 * URL for the name, not a new model version.
 */
export interface RemoteEndpoints {
  /** This proxy's own --endpoint entries; they win over the catalog's. */
  readonly urls: ReadonlyMap<string, string>;
  /** How long one request may take before it counts as failed (and is retried). */
  readonly timeoutMs: number;
  /** The catalog's endpoints, when the proxy follows them. */
  readonly directory?: EndpointDirectory;
}

/** Endpoints kept elsewhere than the proxy's flags (the catalog's table). */
export interface EndpointDirectory {
  lookup(name: string): Promise<string | undefined>;
  names(): string[];
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

/** The URL of an endpoint, from the flags or the catalog; 42704 naming it, and how to set it, if there is none. */
export async function endpointUrl(endpoints: RemoteEndpoints, name: string): Promise<string> {
  const url = endpoints.urls.get(name) ?? (await endpoints.directory?.lookup(name));
  if (url !== undefined) return url;
  const known = [...new Set([...endpoints.urls.keys(), ...(endpoints.directory?.names() ?? [])])];
  throw new ClientError(SqlState.undefinedObject, `remote endpoint "${name}" is not configured in this modelgres`, {
    detail: known.length ? `Configured endpoints: ${known.join(', ')}.` : 'No endpoint is configured.',
    hint: `A superuser sets it with SELECT modelgres.set_remote_endpoint('${name.replaceAll("'", "''")}', 'URL'), or start modelgres with --endpoint ${name}=URL.`,
  });
}

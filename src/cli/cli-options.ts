import { parseArgs } from 'node:util';
import { parseEndpointList } from '../remote/endpoints.ts';
import type { LogFormat, LogLevel } from '../util/logger.ts';

export interface CliOptions {
  upstream?: string;
  host: string;
  port: number;
  dataDir: string;
  embeddedPort: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsRequired: boolean;
  /** The embedded PostgreSQL's superuser password (SCRAM for every role); generated into the file if missing. */
  passwordFile?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** The HTTP listener for /metrics, /healthz and the dashboard: off unless given. */
  httpPort?: number;
  httpHost: string;
  workers: number;
  leaseSeconds: number;
  modelDir?: string;
  maxModelMegabytes: number;
  /** Remote models' endpoints: --endpoint name=URL (repeatable) or MODELGRES_ENDPOINTS=name=URL,name=URL. */
  endpoints: Map<string, string>;
  endpointTimeoutSeconds: number;
  /** Clients served at once; undefined: derived from the upstream's max_connections at start. */
  maxClientConnections?: number;
  /** SHOW MODEL ... DRIFT FROM samples a source of more than twice this many rows; 0 reads every row; undefined: drift-sample.ts's default. */
  driftSampleRows?: number;
  help: boolean;
}

export class UsageError extends Error {}

/** Flags win over environment variables, which win over defaults. */
export function parseCliOptions(args: string[], env: NodeJS.ProcessEnv): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        upstream: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'embedded-port': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-required': { type: 'boolean' },
        'password-file': { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        'http-port': { type: 'string' },
        'http-host': { type: 'string' },
        workers: { type: 'string' },
        'lease-seconds': { type: 'string' },
        'model-dir': { type: 'string' },
        'max-model-mb': { type: 'string' },
        endpoint: { type: 'string', multiple: true },
        'endpoint-timeout': { type: 'string' },
        'max-client-connections': { type: 'string' },
        'drift-sample-rows': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const logLevel = (values['log-level'] ?? env.MODELGRES_LOG_LEVEL ?? 'info') as LogLevel;
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) throw new UsageError(`--log-level must be error, warn, info or debug, not ${logLevel}`);
  const logFormat = (values['log-format'] ?? env.MODELGRES_LOG_FORMAT ?? 'text') as LogFormat;
  if (!['text', 'json'].includes(logFormat)) throw new UsageError(`--log-format must be text or json, not ${logFormat}`);
  const httpPort = values['http-port'] ?? env.MODELGRES_HTTP_PORT;
  const options: CliOptions = {
    upstream: values.upstream ?? env.MODELGRES_UPSTREAM ?? undefined,
    host: values.host ?? env.MODELGRES_HOST ?? '127.0.0.1',
    port: portNumber('--port', values.port ?? env.MODELGRES_PORT ?? '6433'),
    dataDir: values['data-dir'] ?? env.MODELGRES_DATA_DIR ?? '.modelgres',
    embeddedPort: portNumber('--embedded-port', values['embedded-port'] ?? env.MODELGRES_EMBEDDED_PORT ?? '6434'),
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    tlsRequired: values['tls-required'] ?? false,
    passwordFile: values['password-file'] ?? env.MODELGRES_PASSWORD_FILE ?? undefined,
    logLevel,
    logFormat,
    httpPort: httpPort === undefined || httpPort === '' ? undefined : portNumber('--http-port', httpPort),
    httpHost: values['http-host'] ?? env.MODELGRES_HTTP_HOST ?? '127.0.0.1',
    workers: count('--workers', values.workers ?? env.MODELGRES_WORKERS ?? '1'),
    leaseSeconds: count('--lease-seconds', values['lease-seconds'] ?? env.MODELGRES_LEASE_SECONDS ?? '30', 1, 3600),
    modelDir: values['model-dir'] ?? env.MODELGRES_MODEL_DIR ?? undefined,
    maxModelMegabytes: count('--max-model-mb', values['max-model-mb'] ?? env.MODELGRES_MAX_MODEL_MB ?? '256', 1, 4096),
    endpoints: endpointList(values.endpoint ?? (env.MODELGRES_ENDPOINTS ? env.MODELGRES_ENDPOINTS.split(',') : [])),
    endpointTimeoutSeconds: count('--endpoint-timeout', values['endpoint-timeout'] ?? env.MODELGRES_ENDPOINT_TIMEOUT ?? '30', 1, 3600),
    maxClientConnections: optionalCount('--max-client-connections', values['max-client-connections'] ?? env.MODELGRES_MAX_CLIENT_CONNECTIONS, 1, 100_000),
    driftSampleRows: optionalCount('--drift-sample-rows', values['drift-sample-rows'] ?? env.MODELGRES_DRIFT_SAMPLE_ROWS, 0, 1_000_000_000),
    help: values.help ?? false,
  };
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together');
  if (options.tlsRequired && !options.tlsCert) throw new UsageError('--tls-required needs --tls-cert and --tls-key');
  if (options.passwordFile && options.upstream) throw new UsageError('--password-file sets the embedded PostgreSQL\'s password; with --upstream, put the password in its URL');
  return options;
}

function endpointList(entries: string[]): Map<string, string> {
  try {
    return parseEndpointList(entries);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function portNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number, not ${text}`);
  return n;
}

function count(flag: string, text: string, min = 0, max = 64): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${text}`);
  return n;
}

function optionalCount(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined || text === '' ? undefined : count(flag, text, min, max);
}

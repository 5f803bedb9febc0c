import path from 'node:path';
import { migrateCatalog } from './catalog/migrate.ts';
import { waitForUpstream, type UpstreamWaitOptions } from './catalog/wait-for-upstream.ts';
import { startProxyServer, type ProxyServer } from './proxy/proxy-server.ts';
import { defaultClientLimit, readUpstreamCapacity } from './proxy/client-limit.ts';
import { upstreamAddressFromUrl } from './proxy/upstream-address.ts';
import { ModelFunctionNames } from './plan/model-function-names.ts';
import { StatementPlanner } from './plan/statement-planner.ts';
import { retrainOnDrift } from './statements/handlers/retrain-model.ts';
import { ModelFunctionRegistry } from './inference/model-function-registry.ts';
import { OnnxSessionCache } from './inference/onnx-session-cache.ts';
import type { Logger } from './util/logger.ts';
import { TrainingWorker } from './worker/training-worker.ts';
import { compileMissingBodies } from './worker/compile-missing-bodies.ts';
import { DriftScheduler } from './monitor/drift-scheduler.ts';
import { CaptureWriter } from './monitor/capture-writer.ts';
import { InferenceScheduleWorker } from './schedule/schedule-worker.ts';
import { HostingManager } from './hosting/hosting-manager.ts';
import type { ScalingPolicy } from './hosting/scaling-policy.ts';
import { NO_ENDPOINTS, type RemoteEndpoints } from './remote/endpoints.ts';
import { RemoteEndpointTable } from './catalog/remote-endpoint-table.ts';

export interface ModelgresOptions {
  upstreamUrl: string;
  host: string;
  port: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Refuse clients that do not use TLS (--tls-required). */
  tlsRequired?: boolean;
  /** Training workers inside this process (default 1; 0 leaves training to `modelgres worker`). */
  workers?: number;
  /** Lease of a claimed training job (default 30 s). */
  leaseSeconds?: number;
  /** Where CREATE MODEL ... FROM 'file.onnx' reads (default .modelgres/models). */
  modelDir?: string;
  /** Largest ONNX file it imports (default 256 MiB). */
  maxModelBytes?: number;
  /** Remote models' endpoints by name (--endpoint name=URL) and their request timeout; none by default. */
  remoteEndpoints?: RemoteEndpoints;
  /** Clients served at once (default: the upstream's max_connections less reserved and own connections). */
  maxClientConnections?: number;
  /** SHOW MODEL ... DRIFT FROM samples a source of more than twice this many rows; 0 reads every row (default 1,000,000). */
  driftSampleRows?: number;
  /** Inference schedule workers inside this process (default 1 where training workers run, else 0). */
  scheduleWorkers?: number;
  /** How often a schedule worker looks for due schedules without a NOTIFY (default 1 s). */
  schedulePollMilliseconds?: number;
  /** When hosted models' units scale (ALTER MODEL m START); defaults in src/hosting/scaling-policy.ts. */
  hostingPolicy?: Partial<ScalingPolicy>;
  /** How it waits for a PostgreSQL that is not up yet (default: from 0.5 s, doubling to 10 s, for ever). */
  upstreamWait?: UpstreamWaitOptions;
  log: Logger;
}

export interface Modelgres {
  readonly port: number;
  readonly planner: StatementPlanner;
  /** Hosted models' inference units in this process. */
  readonly hosting: HostingManager;
  readonly maxClientConnections: number;
  close(): Promise<void>;
}

/**
 * The whole service: PostgreSQL reachable (waited for), catalog migrated, then the proxy
 * listening. Used by the CLI and the tests.
 */
export async function startModelgres(options: ModelgresOptions): Promise<Modelgres> {
  await waitForUpstream(options.upstreamUrl, options.log, options.upstreamWait);
  await migrateCatalog(options.upstreamUrl, options.log);
  await compileMissingBodies(options.upstreamUrl, options.log);
  const names = new ModelFunctionNames();
  const registry = new ModelFunctionRegistry(options.upstreamUrl, names, options.log);
  await registry.start();
  const sessions = new OnnxSessionCache();
  // Hosted models (ALTER MODEL m START) run on units of their own: every proxy follows the catalog.
  const hosting = new HostingManager({ upstreamUrl: options.upstreamUrl, log: options.log, policy: options.hostingPolicy });
  await hosting.start();
  sessions.router = hosting;
  // Remote models' endpoints: this proxy's --endpoint flags, then the catalog's (set by a superuser).
  const endpointTable = new RemoteEndpointTable(options.upstreamUrl, options.log);
  await endpointTable.start();
  const remoteEndpoints = { ...(options.remoteEndpoints ?? NO_ENDPOINTS), directory: endpointTable };
  sessions.remoteEndpoints = remoteEndpoints;
  const capture = new CaptureWriter(options.upstreamUrl, options.log);
  const planner = new StatementPlanner({ registry, sessions, capture }, names);
  const trainingWorkers = options.workers ?? 1;
  const maxClientConnections =
    options.maxClientConnections ??
    defaultClientLimit(await readUpstreamCapacity(options.upstreamUrl), {
      trainingWorkers,
      scheduleWorkers: options.scheduleWorkers ?? (trainingWorkers > 0 ? 1 : 0),
    });
  const server: ProxyServer = await startProxyServer({
    host: options.host,
    port: options.port,
    upstream: upstreamAddressFromUrl(options.upstreamUrl),
    tlsCertFile: options.tlsCertFile,
    tlsKeyFile: options.tlsKeyFile,
    maxClientConnections,
    tlsRequired: options.tlsRequired,
    planner,
    onCatalogChange: () => registry.reload(),
    settings: {
      modelDir: path.resolve(options.modelDir ?? '.modelgres/models'),
      maxModelBytes: options.maxModelBytes ?? 256 * 1024 * 1024,
      remoteEndpoints,
      driftSampleRows: options.driftSampleRows,
    },
    log: options.log,
  });
  options.log.info(`listening on ${options.host}:${server.port}, serving at most ${maxClientConnections} clients at once`);
  const workers = Array.from({ length: options.workers ?? 1 }, () => new TrainingWorker({ upstreamUrl: options.upstreamUrl, log: options.log, leaseSeconds: options.leaseSeconds }));
  await Promise.all(workers.map((w) => w.start()));
  // Scheduled drift checks run where training runs: in processes that have workers.
  const drift = workers.length > 0 ? new DriftScheduler(options.upstreamUrl, options.log, retrainOnDrift) : null;
  drift?.start();
  // Inference schedules too: their executions are claimed with SKIP LOCKED by any number of workers.
  const scheduleWorkers = Array.from(
    { length: options.scheduleWorkers ?? (workers.length > 0 ? 1 : 0) },
    () => new InferenceScheduleWorker({ upstreamUrl: options.upstreamUrl, log: options.log, sessions, pollMilliseconds: options.schedulePollMilliseconds }),
  );
  await Promise.all(scheduleWorkers.map((w) => w.start()));
  return {
    port: server.port,
    planner,
    hosting,
    maxClientConnections,
    close: async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await drift?.stop();
      await Promise.all(scheduleWorkers.map((w) => w.stop()));
      await hosting.stop();
      await registry.stop();
      await endpointTable.stop();
      await sessions.close();
      await capture.close();
      await server.close();
    },
  };
}

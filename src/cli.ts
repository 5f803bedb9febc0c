import path from 'node:path';
import { parseCliOptions, UsageError, type CliOptions } from './cli/cli-options.ts';
import { MAIN_HELP, MIGRATE_HELP, START_HELP, WORKER_HELP } from './cli/help.ts';
import { migrateCatalog } from './catalog/migrate.ts';
import { waitForUpstream } from './catalog/wait-for-upstream.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded/embedded-server.ts';
import { openTrustRefusal } from './embedded/network-exposure.ts';
import { readPasswordFile } from './embedded/password-file.ts';
import { startModelgres } from './modelgres.ts';
import { startHttpListener } from './http/http-listener.ts';
import { createLogger, type Logger } from './util/logger.ts';
import { TrainingWorker } from './worker/training-worker.ts';
import { DriftScheduler } from './monitor/drift-scheduler.ts';
import { InferenceScheduleWorker } from './schedule/schedule-worker.ts';
import { OnnxSessionCache } from './inference/onnx-session-cache.ts';
import { retrainOnDrift } from './statements/handlers/retrain-model.ts';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(MAIN_HELP);
    return command ? 0 : 2;
  }
  const help = { start: START_HELP, worker: WORKER_HELP, migrate: MIGRATE_HELP }[command];
  if (!help) {
    process.stderr.write(`modelgres: unknown command '${command}'\n\n${MAIN_HELP}`);
    return 2;
  }
  let options: CliOptions;
  try {
    options = parseCliOptions(rest, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`modelgres ${command}: ${error.message}\n\n${help}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(help);
    return 0;
  }
  const log = createLogger(options.logLevel, options.logFormat);
  if (command === 'start') return start(options, log);
  if (command === 'worker') return work(options, log);
  return migrate(options, log);
}

/**
 * The embedded server is reached over loopback TCP rather than its Unix socket, so pg_hba.conf's
 * `host` lines decide for the proxy's clients as for any client of this machine.
 */
async function upstreamFor(options: CliOptions, log: Logger): Promise<{ url: string; embedded: EmbeddedServer | null }> {
  if (options.upstream) return { url: options.upstream, embedded: null };
  const secret = options.passwordFile ? await readPasswordFile(options.passwordFile) : undefined;
  if (secret?.generated) {
    process.stdout.write(`the postgres role's password, generated into ${options.passwordFile} (shown this once): ${secret.password}\n`);
  }
  log.info(`starting the embedded PostgreSQL in ${options.dataDir}`);
  const embedded = await startEmbeddedServer({
    dataDir: options.dataDir,
    port: options.embeddedPort,
    password: secret?.password,
    onLog: (line) => log.debug(line.trim()),
    // Ctrl-C reaches modelgres alone, which closes its connections before it stops the server.
    ownProcessGroup: true,
  });
  return { url: embedded.url, embedded };
}

async function start(options: CliOptions, log: Logger): Promise<number> {
  const { url, embedded } = await upstreamFor(options, log);
  const refusal = embedded && openTrustRefusal(options.host, embedded, options.passwordFile !== undefined);
  if (refusal) {
    await embedded.stop();
    throw new Error(refusal);
  }
  const modelgres = await startModelgres({
    upstreamUrl: url,
    host: options.host,
    port: options.port,
    tlsCertFile: options.tlsCert,
    tlsKeyFile: options.tlsKey,
    tlsRequired: options.tlsRequired,
    workers: options.workers,
    leaseSeconds: options.leaseSeconds,
    modelDir: options.modelDir ?? path.join(options.dataDir, 'models'),
    maxModelBytes: options.maxModelMegabytes * 1024 * 1024,
    remoteEndpoints: { urls: options.endpoints, timeoutMs: options.endpointTimeoutSeconds * 1000 },
    maxClientConnections: options.maxClientConnections,
    driftSampleRows: options.driftSampleRows,
    log,
  });
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  process.stdout.write(`modelgres is ready: postgres://postgres@${shown}:${modelgres.port}/postgres\n`);
  if (embedded) process.stdout.write(`embedded PostgreSQL (direct, bypassing modelgres): postgres://postgres@127.0.0.1:${embedded.port}/postgres\n`);
  const http =
    options.httpPort === undefined
      ? null
      : await startHttpListener({ host: options.httpHost, port: options.httpPort, upstreamUrl: url, log }).catch(async (error: unknown) => {
          await modelgres.close();
          await embedded?.stop();
          throw error;
        });
  if (http) process.stdout.write(`dashboard, /metrics and /healthz: http://${options.httpHost === '0.0.0.0' || options.httpHost === '::' ? '127.0.0.1' : options.httpHost}:${http.port}/\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('shutting down');
  await http?.close();
  await modelgres.close();
  await embedded?.stop();
  return 0;
}

async function work(options: CliOptions, log: Logger): Promise<number> {
  const { url, embedded } = await upstreamFor(options, log);
  await waitForUpstream(url, log);
  await migrateCatalog(url, log);
  const workers = Array.from({ length: Math.max(1, options.workers) }, () => new TrainingWorker({ upstreamUrl: url, log, leaseSeconds: options.leaseSeconds }));
  await Promise.all(workers.map((w) => w.start()));
  const drift = new DriftScheduler(url, log, retrainOnDrift);
  drift.start();
  // Inference schedules' executions too, scored on this process's own onnxruntime threads.
  const sessions = new OnnxSessionCache();
  const schedules = new InferenceScheduleWorker({ upstreamUrl: url, log, sessions });
  await schedules.start();
  log.info(`${workers.length} training worker(s) waiting for jobs; scheduled drift checks and inference schedules on`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.all(workers.map((w) => w.stop()));
  await drift.stop();
  await schedules.stop();
  await sessions.close();
  await embedded?.stop();
  return 0;
}

async function migrate(options: CliOptions, log: Logger): Promise<number> {
  const { url, embedded } = await upstreamFor(options, log);
  try {
    const report = await migrateCatalog(url, log);
    process.stdout.write(
      report.applied.length || report.refreshed.length
        ? `catalog up to date: ${report.applied.length} migration(s) applied, ${report.refreshed.length} sql file(s) refreshed\n`
        : 'catalog already up to date\n',
    );
    return 0;
  } finally {
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`modelgres: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

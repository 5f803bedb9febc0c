import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import type { Logger } from '../util/logger.ts';
import type { SnapshotColumn } from '../snapshot/snapshot-columns.ts';
import type { Progress } from '../training/types.ts';
import { JobQueue, type ClaimedJob } from './job-queue.ts';
import { ListenConnection } from '../catalog/listen-connection.ts';
import { isConnectionLost, OutageLog } from '../catalog/connection-loss.ts';
import type { ModelSpec } from '../catalog/model-spec.ts';
import { closeTrainingThreads, prepareTrainingThread, runTraining, TrainingFailure } from './training-runner.ts';
import { trainForecastJob } from './forecast-job.ts';
import { isForecastVersion } from './forecast-version.ts';
import { compileTrainedVersion, registerTrainedVersion, trainingInput, type VersionToTrain } from './trained-version.ts';
import { type FinishedProgress, NotifiedJobs } from './training-breakdown.ts';
import { failureReason } from './failure-reason.ts';
import { backgroundPool } from '../catalog/background-pool.ts';

export interface TrainingWorkerOptions {
  upstreamUrl: string;
  log: Logger;
  /** How long a claim lasts without a heartbeat; a dead worker's job is retried after it. */
  leaseSeconds?: number;
  /** A job interrupted this many times (its workers died) is marked FAILED. */
  maxAttempts?: number;
  /** Fallback poll when no NOTIFY arrives. */
  pollMilliseconds?: number;
}

interface VersionRow {
  model_id: string;
  version: number;
  spec: ModelSpec;
  columns: SnapshotColumn[];
  data: Buffer;
  parameter_types: string[];
  return_type: string;
}

/**
 * Takes training jobs from the catalog queue and trains them one at a time, in a worker thread.
 * Runs inside `modelgres start`, and as `modelgres worker` on as many machines as needed.
 */
export class TrainingWorker {
  private readonly pool: pg.Pool;
  private readonly queue: JobQueue;
  /** Who holds a claimed job: modelgres.job.lease_owner. */
  readonly workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Its connections' application_name, so pg_stat_activity tells the workers apart. */
  readonly applicationName = `modelgres worker ${this.workerId}`.slice(0, 63);
  private readonly leaseSeconds: number;
  private readonly maxAttempts: number;
  private readonly listener: ListenConnection;
  /** The pool's outages: claims fail while PostgreSQL is down, reported once. */
  private readonly outage: OutageLog;
  private stopped = false;
  private wake: (() => void) | null = null;
  /** A wake-up that came while it was not sleeping: the next sleep ends at once. */
  private nudged = false;
  private loop: Promise<void> | null = null;
  private readonly notifiedJobs = new NotifiedJobs();

  constructor(private readonly options: TrainingWorkerOptions) {
    this.pool = backgroundPool({ connectionString: options.upstreamUrl, max: 3, application_name: this.applicationName });
    this.outage = new OutageLog(options.log, 'training worker');
    // An idle connection that PostgreSQL ended: the pool drops it and opens another when needed.
    this.pool.on('error', (e) => {
      if (!this.outage.lost(e)) options.log.warn('worker connection error', e);
    });
    this.listener = new ListenConnection({
      url: options.upstreamUrl,
      applicationName: this.applicationName,
      channels: ['modelgres_jobs'],
      log: options.log,
      onNotification: (n) => {
        if (n.payload) this.notifiedJobs.notified(n.payload);
        this.nudge();
      },
      // Jobs queued while it was away notified nobody: look for them now.
      onReconnect: () => this.nudge(),
    });
    this.leaseSeconds = options.leaseSeconds ?? 30;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.queue = new JobQueue(this.pool, this.workerId, this.leaseSeconds);
  }

  async start(): Promise<void> {
    // The first job should not wait for its thread's modules to load either (not warmed up: see
    // prepareTrainingThread).
    prepareTrainingThread(false);
    await this.listener.start();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.loop;
    await this.listener.stop();
    await this.pool.end().catch(() => {});
    await closeTrainingThreads();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let job: ClaimedJob | null = null;
      try {
        job = await this.queue.claim();
        this.outage.recovered();
        if (job) await this.process(job);
      } catch (error) {
        // A job whose result could not be written for a lost connection is left to its lease:
        // it runs out, and the job is claimed again once PostgreSQL is back.
        if (!this.stopped && !this.outage.lost(error)) this.options.log.error(`training job ${job?.jobName ?? '(claim)'} failed`, error);
      }
      if (!job && !this.stopped) await this.sleep(this.options.pollMilliseconds ?? 2000);
    }
  }

  private nudge(): void {
    if (this.wake) this.wake();
    else this.nudged = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async process(job: ClaimedJob): Promise<void> {
    if (job.attempts > this.maxAttempts) {
      const n = job.attempts - 1;
      await this.fail(job, `training was interrupted ${n} time${n === 1 ? '' : 's'} (its worker stopped); giving up`);
      return;
    }
    const queueWait = this.notifiedJobs.queueWait(job.jobName, job.secondsSinceQueued);
    const loading = performance.now();
    const r = await this.pool.query<VersionRow>(
      `UPDATE modelgres.model_version v SET training_started_at = coalesce(v.training_started_at, now())
         FROM modelgres.training_snapshot s, modelgres.model m
        WHERE v.job_name = $1 AND s.job_name = v.job_name AND v.state = 'TRAINING' AND m.model_id = v.model_id
       RETURNING v.model_id::text, v.version, v.spec, s.columns, s.data, m.parameter_types, m.return_type`,
      [job.jobName],
    );
    const row = r.rows[0];
    if (!row) {
      await this.queue.whileHeld(job, async () => {});
      return;
    }
    this.options.log.info(`training ${job.jobName} (attempt ${job.attempts})`);
    const version: VersionToTrain = {
      jobName: job.jobName,
      modelId: row.model_id,
      version: row.version,
      spec: row.spec,
      columns: row.columns,
      data: row.data,
      parameterTypes: row.parameter_types,
      returnType: row.return_type,
    };
    if (isForecastVersion(version)) {
      let forecastProgress: Progress | null = null;
      await trainForecastJob(job, version, this.queue, this.options.log, {
        onProgress: (p) => (forecastProgress = p),
        progress: () => forecastProgress,
        heartbeatMs: Math.max(200, (this.leaseSeconds * 1000) / 6),
        heartbeatFailed: (e) => {
          if (!this.outage.lost(e)) this.options.log.warn('heartbeat failed', e);
        },
        fail: (reason) => this.fail(job, reason),
      });
      return;
    }
    const { features, target, spec } = trainingInput(version);
    const loadSeconds = (performance.now() - loading) / 1000;

    let progress: Progress | null = null;
    const training = runTraining(features, target, spec, (p) => {
      progress = p;
    }, { parameterTypes: version.parameterTypes, returnType: version.returnType });
    let lost = false;
    const beat = setInterval(() => {
      this.queue.heartbeat(job, progress).then(
        (held) => {
          if (!held && !lost) {
            lost = true;
            this.options.log.info(`job ${job.jobName} was dropped or taken over: stopping its training`);
            void training.kill();
          }
        },
        (e) => {
          if (!this.outage.lost(e)) this.options.log.warn('heartbeat failed', e);
        },
      );
    }, Math.max(200, (this.leaseSeconds * 1000) / 6));
    try {
      const model = await training.result;
      // The thread that trained it is the next job's (training-runner.ts): it loads and warms
      // up no other thread while a job trains on this machine's cores.
      // Compiled in the training thread, off this thread (in a proxy: its event loop).
      const bodies = model.bodies ?? compileTrainedVersion(version, model, this.options.log);
      const registering = performance.now();
      const kept = await this.queue.whileHeld(job, async (client) => {
        const query = async (sql: string, params: Array<string | null>) =>
          (await client.query<unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows[0]?.[0] as string | null;
        if (!(await registerTrainedVersion(query, version, model, bodies))) return;
        // Where the time went, as the version's last progress report (the commit is not in it).
        const finished: FinishedProgress = {
          ...(progress ?? { done: 0, total: 0, unit: 'steps' }),
          parts: [
            // CREATE MODEL's reading of the data, as it measured it.
            ...(version.spec.snapshotSeconds === undefined ? [] : [{ part: 'snapshot', seconds: version.spec.snapshotSeconds }]),
            { part: 'queue wait', seconds: queueWait }, { part: 'load', seconds: loadSeconds }, ...model.timings,
            { part: 'register', seconds: (performance.now() - registering) / 1000 },
          ],
          candidates: model.candidates,
        };
        await query(`UPDATE modelgres.model_version SET progress = $2::jsonb WHERE job_name = $1 AND state = 'READY'`, [job.jobName, JSON.stringify(finished)]);
      });
      // Not held any more: its lease ran out while PostgreSQL was out of reach and another worker
      // claimed the job (whose attempt is the one that counts), or the model was dropped.
      if (kept) {
        this.options.log.info(`trained ${job.jobName}: ${model.modelType}, validation:${model.validation.metric} ${model.validation.value}`, { event: 'training finished', job: job.jobName, version: version.version });
      } else {
        this.options.log.info(`job ${job.jobName} was dropped or taken over by another worker while it trained: this result is not kept`);
      }
    } catch (error) {
      if (lost) return;
      // Not the training's fault: nothing can be written now, and the job is retried (see run).
      if (!(error instanceof TrainingFailure) && isConnectionLost(error)) throw error;
      const reason = failureReason(error);
      if (!(error instanceof TrainingFailure) || error.kind === 'Exit' || error.kind === 'Error') {
        this.options.log.error(`training ${job.jobName} failed`, error);
      }
      await this.fail(job, reason);
    } finally {
      clearInterval(beat);
      // A thread for the next job, unless this job's came back (its job failed, or it was dropped).
      prepareTrainingThread();
    }
  }

  private async fail(job: ClaimedJob, reason: string): Promise<void> {
    await this.queue.whileHeld(job, async (client) => {
      await client.query(
        `UPDATE modelgres.model_version SET state = 'FAILED', failure_reason = $2, training_finished_at = now(), progress = NULL
          WHERE job_name = $1 AND state = 'TRAINING'`,
        [job.jobName, reason],
      );
      await client.query(`SELECT pg_notify('modelgres_catalog', $1)`, [job.jobName]);
    });
  }
}

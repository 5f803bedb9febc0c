import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import { OutageLog } from '../catalog/connection-loss.ts';
import { ListenConnection } from '../catalog/listen-connection.ts';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { ModelRunner, RunnerRouter } from '../inference/onnx-session-cache.ts';
import type { Logger } from '../util/logger.ts';
import { DEFAULT_SCALING, type ScalingPolicy } from './scaling-policy.ts';
import { UnitPool, type PoolEvent } from './unit-pool.ts';
import { backgroundPool } from '../catalog/background-pool.ts';

/** ALTER MODEL m START / STOP / SET INFERENCE notify this channel (sql/081). */
const HOSTING_CHANNEL = 'modelgres_hosting';
/** Activations change which artifact a hosted model serves. */
const CATALOG_CHANNEL = 'modelgres_catalog';

/** A READY version of a model that is hosted or requires START, as the catalog says. */
interface HostedVersion {
  model_id: string;
  schema_name: string;
  model_name: string;
  inference_status: string;
  min_inference_units: number | null;
  max_inference_units: number | null;
  require_start: boolean;
  job_name: string;
  active: boolean;
}

export interface HostingOptions {
  upstreamUrl: string;
  log: Logger;
  policy?: Partial<ScalingPolicy>;
}

/**
 * Follows hosted models in this process: the catalog says which models are started (and with how
 * many units), every proxy LISTENs for changes and keeps a UnitPool for each started model's
 * active artifact, reporting its units back to the catalog (modelgres.model_hosting). As the
 * inference path's RunnerRouter, it sends a hosted model's batches to its units, and refuses calls
 * to a stopped model that requires START (55000).
 */
export class HostingManager implements RunnerRouter {
  readonly proxyId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly pool: pg.Pool;
  private readonly listener: ListenConnection;
  private readonly outage: OutageLog;
  private readonly policy: ScalingPolicy;
  /** Every READY version of the models that are hosted or require START, by artifact. */
  private versions = new Map<string, HostedVersion>();
  private readonly pools = new Map<string, UnitPool>();
  private reloading: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: HostingOptions) {
    this.policy = { ...DEFAULT_SCALING, ...options.policy };
    this.pool = backgroundPool({ connectionString: options.upstreamUrl, max: 2 });
    this.outage = new OutageLog(options.log, 'hosting');
    this.pool.on('error', (e) => {
      if (!this.outage.lost(e)) options.log.warn('hosting connection error', e);
    });
    this.listener = new ListenConnection({
      url: options.upstreamUrl,
      channels: [HOSTING_CHANNEL, CATALOG_CHANNEL],
      log: options.log,
      onNotification: () => void this.reload(),
      onReconnect: () => this.reload(),
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    await this.reload();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener.stop();
    await this.reloading;
    const models = new Set([...this.pools.keys()].map((job) => this.versions.get(job)?.model_id).filter((id): id is string => !!id));
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
    for (const modelId of models) await this.report(modelId).catch(() => {});
    await this.pool.end();
  }

  route(jobName: string, shared: () => Promise<ModelRunner>): Promise<ModelRunner> {
    const version = this.versions.get(jobName);
    if (!version) return shared();
    const pool = this.pools.get(jobName);
    // The shared pool holds the artifact too: the statement's version lookup then counts it as
    // loaded (no artifact bytes with every call), and a pool that ends under a statement still has
    // a runner to fall back on without asking PostgreSQL for the bytes mid-stream.
    if (pool?.serving) return shared().then(() => pool.runner(shared));
    if (version.require_start && (version.inference_status === 'STOPPED' || version.inference_status === 'STOPPING')) {
      return Promise.reject(
        new ClientError(SqlState.objectNotInPrerequisiteState, `model ${version.model_name} is not started`, {
          hint: `Start it with ALTER MODEL ${version.model_name} START, or let calls load it with ALTER MODEL ${version.model_name} SET INFERENCE (REQUIRE_START OFF).`,
        }),
      );
    }
    return shared();
  }

  /** This process's pool of a model's active artifact (operations, and tests that kill a unit). */
  poolOf(schema: string, model: string): UnitPool | undefined {
    for (const [job, v] of this.versions) {
      if (v.schema_name === schema && v.model_name === model && v.active) return this.pools.get(job);
    }
    return undefined;
  }

  /** Reloads the catalog's state, one reload at a time, and makes the pools follow it. */
  private reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.follow()).catch((e) => {
      if (!this.outage.lost(e)) this.options.log.warn('hosting: reading the catalog failed', e);
    });
    return this.reloading;
  }

  private async follow(): Promise<void> {
    if (this.stopped) return;
    const r = await this.pool.query<HostedVersion>(
      `SELECT m.model_id::text, m.schema_name, m.model_name, m.inference_status, m.min_inference_units, m.max_inference_units,
              m.require_start, v.job_name, v.version = m.active_version AS active
         FROM modelgres.model m JOIN modelgres.model_version v USING (model_id)
        WHERE (m.inference_status <> 'STOPPED' OR m.require_start) AND v.state = 'READY'`,
    );
    this.versions = new Map(r.rows.map((v) => [v.job_name, v]));
    const wanted = r.rows.filter((v) => v.active && (v.inference_status === 'STARTING' || v.inference_status === 'HOSTED'));
    for (const v of wanted) {
      const bounds = { min: v.min_inference_units ?? 1, max: v.max_inference_units ?? v.min_inference_units ?? 1 };
      const existing = this.pools.get(v.job_name);
      // A pool still draining from a STOP stays apart: START again makes a new one.
      if (existing && !existing.stopped && !existing.draining) {
        existing.setBounds(bounds);
        continue;
      }
      const onnx = await this.pool.query<{ onnx: Buffer }>('SELECT onnx FROM modelgres.model_version WHERE job_name = $1', [v.job_name]);
      if (!onnx.rows[0]?.onnx) continue;
      const unitPool = new UnitPool(v.job_name, onnx.rows[0].onnx, bounds, this.policy, (p, e) => void this.onPoolEvent(v, p, e));
      this.pools.set(v.job_name, unitPool);
      await this.report(v.model_id);
      void unitPool.start();
    }
    // Stopped models, other versions activated, models dropped: their pools drain.
    const keep = new Set(wanted.map((v) => v.job_name));
    for (const [job, unitPool] of this.pools) {
      if (!keep.has(job)) unitPool.drain();
    }
  }

  private async onPoolEvent(version: HostedVersion, pool: UnitPool, event: PoolEvent): Promise<void> {
    if (this.stopped) return;
    // The units as the event found them, before the catalog's round trips.
    const units = { desired: pool.desired, in_service: pool.inService };
    try {
      if (pool.stopped && this.pools.get(pool.jobName) === pool) this.pools.delete(pool.jobName);
      await this.report(version.model_id);
      const model = `${version.schema_name}.${version.model_name}`;
      let state: string | null = null;
      let changed = true;
      switch (event.kind) {
        case 'in-service':
          changed = await this.transition(version.model_id, ['STARTING'], 'HOSTED');
          state = 'HOSTED';
          break;
        case 'failed':
          changed = await this.transition(version.model_id, ['STARTING', 'HOSTED'], 'HOSTING_FAILED');
          state = 'HOSTING_FAILED';
          this.options.log.warn(`hosting ${model} failed: ${event.reason}`);
          break;
        case 'stopped':
          changed = await this.transition(version.model_id, ['STOPPING'], 'STOPPED', true);
          state = 'STOPPED';
          break;
        case 'scaled-up':
          state = 'SCALED_UP';
          break;
        case 'scaled-down':
          state = 'SCALED_DOWN';
          break;
        case 'unit-failed':
          state = 'UNIT_FAILED';
          break;
        case 'unit-replaced':
          state = 'UNIT_REPLACED';
          break;
      }
      if (state && changed) {
        const payload = {
          event: 'hosting',
          state,
          model,
          ...units,
          proxy: this.proxyId,
          ...('reason' in event ? { reason: event.reason } : {}),
        };
        await this.pool.query('SELECT pg_notify($1, $2)', ['modelgres_events', JSON.stringify(payload)]);
      }
    } catch (error) {
      if (!this.outage.lost(error)) this.options.log.warn('hosting: reporting to the catalog failed', error);
    }
  }

  /** The model's units in this process, summed over its pools, as the catalog shows them. */
  private async report(modelId: string): Promise<void> {
    let desired = 0;
    let inService = 0;
    let any = false;
    for (const [job, p] of this.pools) {
      if (this.versions.get(job)?.model_id !== modelId || p.stopped) continue;
      any = true;
      desired += p.draining ? 0 : p.desired;
      inService += p.inService;
    }
    if (!any) {
      await this.pool.query('DELETE FROM modelgres.model_hosting WHERE model_id = $1 AND proxy_id = $2', [modelId, this.proxyId]);
      return;
    }
    await this.pool.query(
      `INSERT INTO modelgres.model_hosting (model_id, proxy_id, desired, in_service) VALUES ($1, $2, $3, $4)
       ON CONFLICT (model_id, proxy_id) DO UPDATE SET desired = excluded.desired, in_service = excluded.in_service, reported_at = now()`,
      [modelId, this.proxyId, desired, inService],
    );
  }

  /** Moves the model's status on, if it is still in one of `from`; STOPPED only once no proxy hosts it. */
  private async transition(modelId: string, from: string[], to: string, lastProxy = false): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE modelgres.model SET inference_status = $3
        WHERE model_id = $1 AND inference_status = ANY ($2)
          AND NOT ($4 AND EXISTS (SELECT 1 FROM modelgres.model_hosting h WHERE h.model_id = $1))`,
      [modelId, from, to, lastProxy],
    );
    return (r.rowCount ?? 0) > 0;
  }
}

import type pg from 'pg';
import type { Logger } from '../util/logger.ts';
import { quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import type { Baseline } from './baseline.ts';
import { DEFAULT_LINF_THRESHOLD, DEFAULT_PSI_THRESHOLD, measureDrift } from './drift.ts';
import { recordDrift } from '../metrics/record-drift.ts';
import { PgClientSession } from '../session/pg-client-session.ts';
import type { UpstreamSession } from '../session/upstream-session.ts';
import { capturedSource } from './captured-source.ts';
import { OutageLog, withClient } from '../catalog/connection-loss.ts';
import { backgroundPool } from '../catalog/background-pool.ts';

/**
 * Starts a new version of a model on `session`, which acts as the model's owner (SET LOCAL ROLE),
 * so the training data is read with the owner's privileges, exactly as the owner's own RETRAIN
 * would; it commits with the check. The statements layer provides it.
 */
export type RetrainOnDrift = (session: UpstreamSession, schema: string, model: string) => Promise<void>;

interface DueModel {
  model_id: string;
  schema_name: string;
  model_name: string;
  owner: string;
  monitoring: { schedule?: string; driftThreshold?: number; capturePercent?: number; retrainOnDrift?: boolean };
  /** When the previous check ran: captured calls since then are the data of this one. */
  previous: Date | null;
}

/**
 * Runs the drift checks of models with SET MONITORING (SCHEDULE ...): each due model is claimed
 * with FOR UPDATE SKIP LOCKED, so several modelgres processes share the work without repeating
 * it. A check reads the model's training source as it is now, as the model's owner, and a
 * feature that drifted sends NOTIFY modelgres_events with a JSON payload.
 */
export class DriftScheduler {
  private readonly pool: pg.Pool;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Checks fail every poll while PostgreSQL is down: reported once. */
  private readonly outage: OutageLog;

  constructor(
    upstreamUrl: string,
    private readonly log: Logger,
    /** RETRAIN_ON_DRIFT ON: starts ALTER MODEL m RETRAIN on the check's session, acting as the owner. */
    private readonly retrain: RetrainOnDrift,
    private readonly pollMilliseconds = 1000,
  ) {
    this.pool = backgroundPool({ connectionString: upstreamUrl, max: 1 });
    this.outage = new OutageLog(log, 'drift scheduler');
    this.pool.on('error', (e) => {
      if (!this.outage.lost(e)) log.warn('drift scheduler connection error', e);
    });
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.checkDue()
        .then(
          () => this.outage.recovered(),
          (e) => {
            if (!this.outage.lost(e)) this.log.warn('scheduled drift check failed', e);
          },
        )
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.pollMilliseconds);
        });
    };
    this.timer = setTimeout(tick, this.pollMilliseconds);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.pool.end();
  }

  /** Checks every model whose schedule has come round. */
  private async checkDue(): Promise<void> {
    while (await withClient(this.pool, (client) => this.checkNext(client))) {
      // one model a transaction, until none is due
    }
  }

  /** Claims one due model and checks it; false when none is due. */
  private async checkNext(client: pg.PoolClient): Promise<boolean> {
    try {
      await client.query('BEGIN');
      const due = await client.query<DueModel>(
        `WITH due AS (
           SELECT model_id, last_drift_check AS previous FROM modelgres.model
            WHERE monitoring ? 'schedule' AND active_version IS NOT NULL
              AND (last_drift_check IS NULL OR last_drift_check + (monitoring->>'schedule')::interval <= now())
            ORDER BY last_drift_check NULLS FIRST FOR UPDATE SKIP LOCKED LIMIT 1)
         UPDATE modelgres.model m SET last_drift_check = now() FROM due
          WHERE m.model_id = due.model_id
         RETURNING m.model_id::text, m.schema_name, m.model_name, m.owner, m.monitoring, due.previous`,
      );
      const model = due.rows[0];
      if (model) await this.check(client, model);
      await client.query('COMMIT');
      return model !== undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  private async check(client: pg.PoolClient, model: DueModel): Promise<void> {
    const v = await client.query(
      `SELECT v.version, v.baseline, v.spec, v.training_source FROM modelgres.model_version v
         JOIN modelgres.model m USING (model_id) WHERE m.model_id = $1 AND v.version = m.active_version`,
      [model.model_id],
    );
    const version = v.rows[0];
    if (!version?.baseline) return; // imported versions have no training data to compare with
    const baseline = version.baseline as Baseline;
    const session = new PgClientSession(client);
    const spec = version.spec as { sourceKind?: string; sourceTable?: { schema?: string; name: string } };
    // Captured calls since the previous check when the model captures; else its training source as it is now.
    const source = (model.monitoring.capturePercent ?? 0) > 0
      ? capturedSource(model.model_id, baseline, model.previous?.toISOString())
      : spec.sourceKind === 'Table' && spec.sourceTable
        ? `SELECT * FROM ${quoteQualified(spec.sourceTable)}`
        : version.training_source;
    const threshold = model.monitoring.driftThreshold;
    // The data is read with the owner's privileges, never the catalog owner's.
    await client.query(`SET LOCAL ROLE ${quoteIdent(model.owner)}`);
    const rows = await measureDrift(session, baseline, source, {
      psi: threshold ?? DEFAULT_PSI_THRESHOLD,
      linf: threshold ?? DEFAULT_LINF_THRESHOLD,
    });
    recordDrift(`${model.schema_name}.${model.model_name}`, rows);
    const drifted = rows.filter((r) => r.drifted);
    if (drifted.length === 0) {
      await client.query('RESET ROLE');
      return;
    }
    // RETRAIN_ON_DRIFT ON: a new version, still as the owner; the activation rule decides when it serves.
    let retrain: { version: number; job_name: string } | undefined;
    const training = await client.query(`SELECT 1 FROM modelgres.model_versions WHERE model_id = $1 AND state = 'TRAINING'`, [model.model_id]);
    // One retraining at a time: a version still training answers this drift already.
    if (model.monitoring.retrainOnDrift && training.rowCount === 0) {
      await this.retrain(session, model.schema_name, model.model_name);
      const latest = await client.query(
        `SELECT version, job_name FROM modelgres.model_versions WHERE model_id = $1 ORDER BY version DESC LIMIT 1`,
        [model.model_id],
      );
      retrain = latest.rows[0];
    }
    await client.query('RESET ROLE');
    const payload = {
      event: 'drift',
      model: `${model.schema_name}.${model.model_name}`,
      version: version.version,
      features: drifted.map((r) => r.feature),
      values: Object.fromEntries(drifted.map((r) => [r.feature, { metric: r.metric, value: r.value, threshold: r.threshold, check: r.check }])),
      checked_at: new Date().toISOString(),
      ...(retrain ? { retrain } : {}),
    };
    this.log.info(`drift in ${payload.model}: ${payload.features.join(', ')}`, { event: 'drift', model: payload.model, version: version.version });
    await client.query('SELECT pg_notify($1, $2)', ['modelgres_events', JSON.stringify(payload)]);
  }
}

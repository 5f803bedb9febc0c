import type pg from 'pg';
import type { ModelFunction } from '../inference/model-function-registry.ts';
import type { Logger } from '../util/logger.ts';
import { OutageLog } from '../catalog/connection-loss.ts';
import { backgroundPool } from '../catalog/background-pool.ts';

/** Writes in flight at most; beyond it a batch's sample is dropped rather than slow the scoring. */
const MAX_PENDING = 4;

/**
 * Keeps a sampled share of predicted rows (SET MONITORING (CAPTURE_PERCENT p)) for drift checks.
 * Writes go on the proxy's own connection, after the batch was sent, never in the client's
 * transaction: capturing can neither slow a query down much nor make it fail.
 */
export class CaptureWriter {
  private readonly pool: pg.Pool;
  private pending = 0;
  /** While PostgreSQL is down every write fails: reported once. */
  private readonly outage: OutageLog;

  constructor(upstreamUrl: string, private readonly log: Logger) {
    this.pool = backgroundPool({ connectionString: upstreamUrl, max: 2 });
    this.outage = new OutageLog(log, 'inference capture');
    this.pool.on('error', (e) => {
      if (!this.outage.lost(e)) log.warn('capture connection error', e);
    });
  }

  /** args[j][i]: input j of row i, as the model received it; outputs[i]: its result. */
  record(fn: ModelFunction, version: number, args: ReadonlyArray<ReadonlyArray<string | null>>, outputs: ReadonlyArray<string | null>): void {
    const percent = fn.capturePercent ?? 0;
    if (percent <= 0 || this.pending >= MAX_PENDING || fn.output !== 'value') return;
    const rows: Array<{ i: Record<string, string | null>; o: string | null }> = [];
    for (let r = 0; r < outputs.length; r++) {
      if (Math.random() * 100 >= percent) continue;
      const inputs: Record<string, string | null> = {};
      fn.parameterNames.forEach((name, j) => {
        inputs[name] = args[j][r];
      });
      rows.push({ i: inputs, o: outputs[r] });
    }
    if (rows.length === 0) return;
    this.pending++;
    this.pool
      .query(
        `INSERT INTO modelgres.model_capture (model_id, version, inputs, output)
         SELECT $1, $2, x.i, x.o FROM jsonb_to_recordset($3::jsonb) AS x(i jsonb, o text)`,
        [fn.modelId, version, JSON.stringify(rows)],
      )
      .then(
        () => this.outage.recovered(),
        (e) => {
          if (!this.outage.lost(e)) this.log.warn('capturing inference calls failed', e);
        },
      )
      .finally(() => this.pending--);
  }

  /** Waits for the writes under way (tests and shutdown). */
  async flush(): Promise<void> {
    while (this.pending > 0) await new Promise((r) => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    await this.flush();
    await this.pool.end();
  }
}

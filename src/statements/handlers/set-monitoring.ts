import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { AlterModelSetMonitoring } from '../ast/alter-model.ts';
import { callCatalog, modelKey } from './model-target.ts';

/**
 * ALTER MODEL m SET MONITORING (CAPTURE_PERCENT p, SCHEDULE 'interval', DRIFT_THRESHOLD t): p% of
 * predicted rows are kept; the workers check for drift on the schedule (the captured calls since
 * the last check, or the training source when nothing is captured) and send NOTIFY
 * modelgres_events when a feature drifts; with RETRAIN_ON_DRIFT ON they also start a RETRAIN.
 */
export async function setMonitoring(s: AlterModelSetMonitoring, _t: string, context: StatementContext): Promise<void> {
  const o = s.monitoring;
  if (o.capturePercent !== undefined && (o.capturePercent < 0 || o.capturePercent > 100)) {
    throw new ClientError(SqlState.invalidParameterValue, `CAPTURE_PERCENT must be between 0 and 100, not ${o.capturePercent}`);
  }
  const options: Record<string, unknown> = {};
  if (o.schedule !== undefined) options.schedule = o.schedule;
  if (o.driftThreshold !== undefined) options.driftThreshold = o.driftThreshold;
  if (o.capturePercent !== undefined) options.capturePercent = o.capturePercent;
  if (o.retrainOnDrift !== undefined) options.retrainOnDrift = o.retrainOnDrift;
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.set_monitoring(current_user, $1, $2, $3::jsonb)', [schema, name, JSON.stringify(options)]);
  context.send(commandComplete('ALTER MODEL'));
}

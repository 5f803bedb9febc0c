import { notSupported } from '../../errors/client-error.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../proxy/statement-context.ts';
import type { AlterModelSetMonitoring } from '../ast/alter-model.ts';
import { callCatalog, modelKey } from './model-target.ts';

/**
 * ALTER MODEL m SET MONITORING (SCHEDULE 'interval', DRIFT_THRESHOLD t): the workers check the
 * model's training source for drift on that schedule and send NOTIFY modelgres_events when a
 * feature drifts. Capturing inference calls and retraining on drift are not built yet.
 */
export async function setMonitoring(s: AlterModelSetMonitoring, _t: string, context: StatementContext): Promise<void> {
  const o = s.monitoring;
  if (o.capturePercent !== undefined && o.capturePercent > 0) {
    throw notSupported('CAPTURE_PERCENT (capturing inference calls) is not implemented yet', 'Leave it out or set it to 0; scheduled checks read the training source.');
  }
  if (o.retrainOnDrift) throw notSupported('RETRAIN_ON_DRIFT ON is not implemented yet', 'Use RETRAIN_ON_DRIFT OFF and run ALTER MODEL ... RETRAIN on the drift event.');
  const options: Record<string, unknown> = {};
  if (o.schedule !== undefined) options.schedule = o.schedule;
  if (o.driftThreshold !== undefined) options.driftThreshold = o.driftThreshold;
  if (o.capturePercent !== undefined) options.capturePercent = o.capturePercent;
  if (o.retrainOnDrift !== undefined) options.retrainOnDrift = o.retrainOnDrift;
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.set_monitoring(current_user, $1, $2, $3::jsonb)', [schema, name, JSON.stringify(options)]);
  context.send(commandComplete('ALTER MODEL'));
}

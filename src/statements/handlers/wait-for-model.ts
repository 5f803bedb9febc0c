import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { noticeResponse } from '../../protocol/backend-messages.ts';
import type { WaitForModel } from '../ast/wait-for-model.ts';
import { modelKey } from './model-target.ts';
import { describeProgress } from './training-progress.ts';
import { sendRows } from './send-rows.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';

const POLL_MS = 500;

/**
 * WAIT FOR MODEL m [VERSION n] [TIMEOUT s]: returns (version, state) once the version has left
 * TRAINING, with NOTICE lines of progress meanwhile. How a migration file waits for training.
 */
export async function waitForModel(s: WaitForModel, _t: string, context: MlStatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const deadline = s.timeoutSeconds === undefined ? Infinity : Date.now() + s.timeoutSeconds * 1000;
  let lastNotice = '';
  for (;;) {
    const r = await context.upstream.query(
      `SELECT version, state, failure_reason, progress::text, extract(epoch from (clock_timestamp() - training_started_at))
         FROM modelgres.model_versions
        WHERE schema_name = $1 AND model_name = $2 AND ($3::int IS NULL OR version = $3::int)
        ORDER BY version DESC LIMIT 1`,
      [schema, name, s.version === undefined ? null : String(s.version)],
    );
    const row = r.rows[0];
    if (!row) {
      throw new ClientError(SqlState.undefinedObject, s.version === undefined ? `model "${name}" does not exist` : `model "${name}" has no version ${s.version}`);
    }
    const [version, state, reason, progress, elapsed] = row;
    if (state === 'READY') {
      sendRows(context, [[version, state]], 'SELECT 1');
      return;
    }
    if (state === 'FAILED' || state === 'CANCELED') {
      throw new ClientError(SqlState.objectNotInPrerequisiteState, `version ${version} of model "${name}" ended ${state}: ${reason ?? 'no reason given'}`);
    }
    const line = `model ${name} version ${version}: ${describeProgress(progress, Number(elapsed ?? 0))}`;
    if (line !== lastNotice) {
      context.send(noticeResponse({ severity: 'NOTICE', code: SqlState.successfulCompletion, message: line }));
      lastNotice = line;
    }
    if (Date.now() >= deadline) {
      throw new ClientError(SqlState.queryCanceled, `WAIT FOR MODEL ${name} timed out after ${s.timeoutSeconds} s; version ${version} is still ${state}`);
    }
    if (context.signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

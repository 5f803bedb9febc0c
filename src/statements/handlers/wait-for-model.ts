import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { noticeResponse } from '../../protocol/backend-messages.ts';
import type { ModelSpec } from '../../catalog/model-spec.ts';
import type { SnapshotColumn } from '../../snapshot/snapshot-columns.ts';
import { runTraining, TrainingFailure } from '../../worker/training-runner.ts';
import { compileTrainedVersion, registerTrainedVersion, trainingInput, type CatalogQuery, type VersionToTrain } from '../../worker/trained-version.ts';
import { isForecastVersion, registerForecastVersion, runForecastTraining } from '../../worker/forecast-version.ts';
import type { Progress } from '../../training/types.ts';
import type { WaitForModel } from '../ast/wait-for-model.ts';
import { modelKey } from './model-target.ts';
import { describeProgress } from './training-progress.ts';
import { sendRows } from './send-rows.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';

const POLL_MS = 500;

/**
 * WAIT FOR MODEL m [VERSION n] [TIMEOUT s]: returns (version, state) once the version has left
 * TRAINING, with NOTICE lines of progress meanwhile. How a migration file waits for training.
 *
 * A version whose job this very transaction queued (CREATE MODEL and WAIT FOR MODEL in one
 * migration's transaction) is invisible to the workers until COMMIT, so waiting for them would
 * never end: it is trained here, in this session, on the snapshot the transaction holds, and
 * registered READY in the same transaction. COMMIT then shows model and version together;
 * ROLLBACK leaves nothing.
 */
export async function waitForModel(s: WaitForModel, _t: string, context: MlStatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const deadline = s.timeoutSeconds === undefined ? Infinity : Date.now() + s.timeoutSeconds * 1000;
  let lastNotice = '';
  const notice = (line: string) => {
    if (line === lastNotice) return;
    context.send(noticeResponse({ severity: 'NOTICE', code: SqlState.successfulCompletion, message: line }));
    lastNotice = line;
  };
  let lookedForOwnJob = false;
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
    if (!lookedForOwnJob) {
      lookedForOwnJob = true;
      const own = await ownTrainingJob(context, schema, name, Number(version));
      if (own) {
        await trainHere(own, { name, deadline, timeoutSeconds: s.timeoutSeconds, notice }, context);
        continue;
      }
    }
    notice(`model ${name} version ${version}: ${describeProgress(progress, Number(elapsed ?? 0))}`);
    if (Date.now() >= deadline) {
      throw new ClientError(SqlState.queryCanceled, `WAIT FOR MODEL ${name} timed out after ${s.timeoutSeconds} s; version ${version} is still ${state}`);
    }
    if (context.signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

/** The version's snapshot when this transaction queued its job (modelgres.own_training_job), else null. */
async function ownTrainingJob(context: MlStatementContext, schema: string, name: string, version: number): Promise<VersionToTrain | null> {
  const r = await context.upstream.query(
    `SELECT job_name, model_id::text, version, spec::text, columns::text, encode(data, 'base64'), parameter_types::text, return_type
       FROM modelgres.own_training_job(current_user, $1, $2, $3)`,
    [schema, name, String(version)],
  );
  const row = r.rows[0];
  if (!row) return null;
  const [jobName, modelId, v, spec, columns, data, parameterTypes, returnType] = row as string[];
  return {
    jobName,
    modelId,
    version: Number(v),
    spec: JSON.parse(spec) as ModelSpec,
    columns: JSON.parse(columns) as SnapshotColumn[],
    data: Buffer.from(data, 'base64'),
    parameterTypes: JSON.parse(parameterTypes) as string[],
    returnType,
  };
}

/** A version training in a thread of this proxy; its result registers it in the given transaction. */
interface TrainingHere {
  result: Promise<(query: CatalogQuery) => Promise<boolean>>;
  kill(): Promise<void>;
}

function modelHere(v: VersionToTrain, onProgress: (p: Progress) => void): TrainingHere {
  const { features, target, spec } = trainingInput(v);
  // The thread compiles the SQL bodies too, off this session's thread (the proxy's event loop).
  const { result, kill } = runTraining(features, target, spec, onProgress, { parameterTypes: v.parameterTypes, returnType: v.returnType });
  return { result: result.then((m) => (query) => registerTrainedVersion(query, v, m, m.bodies ?? compileTrainedVersion(v, m))), kill };
}

function forecastHere(v: VersionToTrain, onProgress: (p: Progress) => void): TrainingHere {
  const { result, kill } = runForecastTraining(v, onProgress);
  return { result: result.then((f) => (query) => registerForecastVersion(query, v, f)), kill };
}

interface Waiting {
  name: string;
  deadline: number;
  timeoutSeconds: number | undefined;
  notice(line: string): void;
}

/**
 * Trains the version in a worker thread of this proxy (the workers' own training code), with
 * progress NOTICEs, then registers it as a worker would, in the client's transaction. A cancel
 * or the TIMEOUT stops the thread; the statement then fails and the transaction with it.
 */
async function trainHere(v: VersionToTrain, waiting: Waiting, context: MlStatementContext): Promise<void> {
  const started = Date.now();
  let lastProgressAt = 0;
  const prefix = `model ${waiting.name} version ${v.version}`;
  waiting.notice(`${prefix}: training in this transaction (its job is not visible to workers before COMMIT)`);
  const onProgress = (p: Progress) => {
    if (Date.now() - lastProgressAt < POLL_MS) return;
    lastProgressAt = Date.now();
    waiting.notice(`${prefix}: ${describeProgress(JSON.stringify(p), (Date.now() - started) / 1000)}`);
  };
  const query: CatalogQuery = async (sql, params) => (await context.upstream.query(sql, params)).rows[0]?.[0];
  const training = isForecastVersion(v) ? forecastHere(v, onProgress) : modelHere(v, onProgress);
  let timedOut = false;
  const timer = Number.isFinite(waiting.deadline)
    ? setTimeout(() => {
        timedOut = true;
        void training.kill();
      }, Math.max(0, waiting.deadline - Date.now()))
    : null;
  const onAbort = () => void training.kill();
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const register = await training.result;
    await register(query);
  } catch (error) {
    if (timedOut) {
      throw new ClientError(
        SqlState.queryCanceled,
        `WAIT FOR MODEL ${waiting.name} timed out after ${waiting.timeoutSeconds} s; version ${v.version} is still TRAINING`,
      );
    }
    if (context.signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
    if (error instanceof TrainingFailure) {
      throw new ClientError(SqlState.objectNotInPrerequisiteState, `version ${v.version} of model "${waiting.name}" ended FAILED: ${error.message}`);
    }
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    context.signal.removeEventListener('abort', onAbort);
  }
}

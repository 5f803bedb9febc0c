import type { StatementContext } from '../session/statement-context.ts';
import type { ModelCall } from './find-model-calls.ts';
import type { InferenceDeps } from './inference-deps.ts';
import type { ModelRunner } from './onnx-session-cache.ts';
import { predictBatch, type ClassValue } from './predict-batch.ts';
import { interpretVersion, type ResolvedVersion } from './resolve-model-version.ts';
import { readLeadingColumns } from './row-splicer.ts';

/** A call of a statement with the version it evaluates, fixed before the first row, and its runtime. */
export interface OpenedCall {
  call: ModelCall;
  version: ResolvedVersion;
  session: ModelRunner;
}

/** Each call's version as versionQuery found it (rows of one result per call), checked and loaded. */
export async function openCalls(
  context: StatementContext,
  deps: InferenceDeps,
  calls: readonly ModelCall[],
  versionRows: (i: number) => Array<Array<string | null>>,
): Promise<OpenedCall[]> {
  const opened: OpenedCall[] = [];
  for (const [i, call] of calls.entries()) {
    const version = interpretVersion(context, call.function, versionRows(i));
    opened.push({ call, version, session: await deps.sessions.get(version.jobName, () => version.loadOnnx()) });
  }
  return opened;
}

/**
 * Predicts one batch for every call. `rows` are DataRow bodies whose first `extra` columns are
 * the calls' arguments, call after call (as the streamed statement selects them); returns each
 * call's results as PostgreSQL text.
 */
export async function predictCalls(
  opened: readonly OpenedCall[],
  rows: readonly Buffer[],
  extra: number,
  deps: InferenceDeps,
): Promise<Array<Array<string | null>>> {
  const inputs = readLeadingColumns(rows, extra);
  const predictions: Array<Array<string | null>> = [];
  let column = 0;
  for (const { call, version, session } of opened) {
    const args = inputs.slice(column, column + call.argumentCount);
    column += call.argumentCount;
    const predicted = await predictBatch(session, call.function, version.classes as ClassValue[] | null, args, rows.length, version.ioPlan);
    deps.capture?.record(call.function, version.version, args, predicted);
    predictions.push(predicted);
  }
  return predictions;
}

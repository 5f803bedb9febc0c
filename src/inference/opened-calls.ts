import type { StatementContext } from '../session/statement-context.ts';
import type { ModelCall } from './find-model-calls.ts';
import type { InferenceDeps } from './inference-deps.ts';
import type { ModelRunner } from './onnx-session-cache.ts';
import { float32Column, indexLeadingColumns, textColumn } from './feature-decoding.ts';
import { predictBatch, takesFloat32, type ArgumentColumn, type ClassValue } from './predict-batch.ts';
import { measurePredictions } from '../metrics/measure-predictions.ts';
import { interpretVersion, sayEvaluator, type ResolvedVersion } from './resolve-model-version.ts';

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
  how: 'streamed' | 'written back',
): Promise<OpenedCall[]> {
  const opened: OpenedCall[] = [];
  for (const [i, call] of calls.entries()) {
    const version = interpretVersion(context, call.function, versionRows(i));
    sayEvaluator(context, call.function, version, how);
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
  const index = indexLeadingColumns(rows, extra);
  const predictions: Array<Array<string | null>> = [];
  let column = 0;
  for (const { call, version, session } of opened) {
    const fn = call.function;
    // A captured call's inputs are recorded as text: they stay text.
    const captured = deps.capture !== undefined && (fn.capturePercent ?? 0) > 0;
    const args: ArgumentColumn[] = [];
    for (let j = 0; j < call.argumentCount; j++, column++) {
      const c = column;
      args.push(!captured && takesFloat32(fn, version.ioPlan, j) ? (from, to) => float32Column(index, c, from, to) : textColumn(index, c));
    }
    const predicted = await measurePredictions(fn, version.version, rows.length, () => predictBatch(session, fn, version.classes as ClassValue[] | null, args, rows.length, version.ioPlan));
    // With CAPTURE_PERCENT 0 the capture keeps nothing of a call.
    if (captured) deps.capture!.record(fn, version.version, args as Array<Array<string | null>>, predicted);
    predictions.push(predicted);
  }
  return predictions;
}

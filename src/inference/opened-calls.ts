import type { StatementContext } from '../session/statement-context.ts';
import type { ModelCall } from './find-model-calls.ts';
import type { InferenceDeps } from './inference-deps.ts';
import type { ModelRunner } from './onnx-session-cache.ts';
import type { FieldDescription } from '../protocol/backend-messages.ts';
import { binaryFloat32Column, binaryFloat64Column, binaryTextColumn, readsBinary } from './binary-feature-decoding.ts';
import { float32Column, indexLeadingColumns, textColumn, type LeadingColumns } from './feature-decoding.ts';
import { predictColumn, takesFloat32, takesFloat64, textOfPredictions, type ArgumentColumn, type ClassValue, type PredictionColumn } from './predict-batch.ts';
import { measurePredictions } from '../metrics/measure-predictions.ts';
import { interpretVersion, openVersion, sayEvaluator, type ResolvedVersion } from './resolve-model-version.ts';

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
    opened.push({ call, version, session: await openVersion(deps.sessions, version) });
  }
  return opened;
}

/**
 * Which of the argument columns (the calls' arguments, call after call, as the streamed statement
 * selects them) the proxy's Bind asks PostgreSQL to send in binary: numbers, bools, dates and
 * times, which binary-feature-decoding.ts reads without text. A captured call's inputs are
 * recorded as text: they stay text. An imported model reads text too, but which kind of version a
 * call evaluates is known only with the rows; its binary columns are turned back into text then.
 */
export function argumentFormats(calls: readonly ModelCall[], deps: InferenceDeps): Array<0 | 1> {
  // A prepared statement's calls are the same objects from one execution to the next.
  const known = formatsOfCalls.get(calls);
  if (known && known.capture === deps.capture) return known.formats;
  const formats = calls.flatMap((call) => {
    const fn = call.function;
    const captured = deps.capture !== undefined && (fn.capturePercent ?? 0) > 0;
    return Array.from({ length: call.argumentCount }, (_, j): 0 | 1 => (!captured && readsBinary(fn.parameterTypes[j]) ? 1 : 0));
  });
  formatsOfCalls.set(calls, { capture: deps.capture, formats });
  return formats;
}

const formatsOfCalls = new WeakMap<readonly ModelCall[], { capture: InferenceDeps['capture']; formats: Array<0 | 1> }>();

/**
 * Predicts one batch for every call. `batch.rows` are DataRow bodies whose first `extra` columns
 * are the calls' arguments, call after call (as the streamed statement selects them), each in the
 * format `batch.fields` says; returns each call's results (PredictionColumn: text, or a regression's numbers).
 */
export async function predictCalls(
  opened: readonly OpenedCall[],
  batch: { rows: readonly Buffer[]; fields: readonly FieldDescription[] },
  extra: number,
  deps: InferenceDeps,
  signal?: AbortSignal,
): Promise<PredictionColumn[]> {
  const { rows, fields } = batch;
  const index = indexLeadingColumns(rows, extra);
  const predictions: PredictionColumn[] = [];
  let column = 0;
  for (const { call, version, session } of opened) {
    const fn = call.function;
    // A captured call's inputs are recorded as text: they stay text.
    const captured = deps.capture !== undefined && (fn.capturePercent ?? 0) > 0;
    const args: ArgumentColumn[] = [];
    for (let j = 0; j < call.argumentCount; j++, column++) {
      args.push(argumentColumn(index, column, fields[column], !captured && takesFloat32(fn, version.ioPlan, j), !captured && takesFloat64(fn, version.ioPlan, j)));
    }
    const predicted = await measurePredictions(fn, version.version, rows.length, () => predictColumn(session, fn, version.classes as ClassValue[] | null, args, rows.length, version.ioPlan, signal));
    // With CAPTURE_PERCENT 0 the capture keeps nothing of a call.
    if (captured) deps.capture!.record(fn, version.version, args as Array<Array<string | null>>, textOfPredictions(predicted));
    predictions.push(predicted);
  }
  return predictions;
}

/** Argument column `c` as predictBatch takes it: decoded from its text or binary, or as text (monitor/ reads its batches so too). */
export function argumentColumn(index: LeadingColumns, c: number, field: FieldDescription | undefined, float32: boolean, float64: boolean): ArgumentColumn {
  const typeOid = field?.typeOid ?? 0;
  if (field?.format === 1) {
    if (float32) return (from, to) => binaryFloat32Column(index, c, typeOid, from, to);
    if (float64) return (from, to) => binaryFloat64Column(index, c, typeOid, from, to);
    return binaryTextColumn(index, c, typeOid);
  }
  if (float32) return (from, to) => float32Column(index, c, from, to);
  return textColumn(index, c);
}

import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { ModelFunction, ModelFunctionRegistry } from './model-function-registry.ts';
import type { OnnxSessionCache } from './onnx-session-cache.ts';

/** Rows fetched from a cursor and predicted at a time. */
export const BATCH_ROWS = 8192;

/**
 * Keeps a sample of predicted rows of models with CAPTURE_PERCENT (monitoring implements it).
 * `args[j][i]` is input j of row i as the model received it; `outputs[i]` its result.
 */
export interface PredictionCapture {
  record(fn: ModelFunction, version: number, args: ReadonlyArray<ReadonlyArray<string | null>>, outputs: ReadonlyArray<string | null>): void;
}

/** What evaluating model calls needs besides the client's session. */
export interface InferenceDeps {
  registry: ModelFunctionRegistry;
  sessions: OnnxSessionCache;
  capture?: PredictionCapture;
}

/** Between batches: a cancelled statement stops, as PostgreSQL's would, with 57014. */
export function throwIfCanceled(signal: AbortSignal): void {
  if (signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
}

import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { noticeResponse } from '../protocol/backend-messages.ts';
import type { StatementContext } from '../session/statement-context.ts';
import type { ModelFunction } from './model-function-registry.ts';
import { ArtifactLoadError, type ModelRunner, type OnnxSessionCache } from './onnx-session-cache.ts';
import type { IoPlan } from '../artifacts/index.ts';
import type { KnownVersion } from './known-versions.ts';
import { remotePlanOf } from '../remote/remote-plan.ts';
import { RemotePredictor } from '../remote/remote-predictor.ts';

export interface ResolvedVersion {
  modelName: string;
  version: number;
  jobName: string;
  classes: unknown[] | null;
  /** How to feed an imported model; null for modelgres's own. */
  ioPlan: IoPlan | null;
  /** The session's client_min_messages is at a DEBUG level: say which evaluator runs (sayEvaluator). */
  debug: boolean;
  loadOnnx(): Promise<Uint8Array>;
}

/**
 * The version a call evaluates: the model's active one, read on the caller's own session, so
 * PostgreSQL's privileges decide (EXECUTE on the model function) and the statement keeps this
 * version from start to end.
 */
export async function resolveModelVersion(context: StatementContext, fn: ModelFunction): Promise<ResolvedVersion> {
  const q = versionQuery(fn);
  const r = await context.upstream.query(q.sql, q.params);
  return interpretVersion(context, fn, r.rows);
}

/**
 * The catalog query behind resolveModelVersion, for callers that pipeline it with others: the
 * catalog's call_version, as the caller (sql/050-inference-api.sql). `loaded`: artifacts (job
 * names) the caller has already; any other version's artifact comes with the answer, so the
 * caller never needs a second query while the upstream is busy.
 */
export function versionQuery(fn: ModelFunction, loaded?: readonly string[]): { sql: string; params: Array<string | null> } {
  return {
    // The last column, the function's pg_proc stamp read in the same snapshot, lets the proxy
    // learn the version for later calls (known-versions.ts).
    sql: 'SELECT v.*, modelgres.function_stamp($5::oid) AS stamp FROM modelgres.call_version(current_user, $1, $2, $3::int, $4::text[]) v',
    params: [
      fn.modelId,
      fn.name,
      fn.pinnedVersion === undefined ? null : String(fn.pinnedVersion),
      loaded ? pgTextArray(loaded) : null,
      fn.oid === undefined ? null : String(fn.oid),
    ],
  };
}

/** The stamp of the function's pg_proc row that versionQuery read with the version (null: none). */
export function versionStamp(rows: Array<Array<string | null>>): string | null {
  return rows[0]?.[10] ?? null;
}

/**
 * A version known from an earlier call (known-versions.ts), checked in the calling statement
 * itself: its artifact is loaded already (or it has none, a remote model), so it is never read.
 */
export function resolvedFromKnown(context: StatementContext, fn: ModelFunction, known: KnownVersion, debug: boolean): ResolvedVersion {
  return {
    modelName: fn.modelName,
    ...known,
    debug,
    loadOnnx: () => loadArtifact(context, fn, known.version),
  };
}

async function loadArtifact(context: StatementContext, fn: ModelFunction, version: number): Promise<Uint8Array> {
  const a = await context.upstream.query('SELECT onnx FROM modelgres.model_artifacts WHERE model_id = $1 AND version = $2', [fn.modelId, String(version)]);
  const hex = a.rows[0]?.[0];
  if (!hex) throw new ClientError(SqlState.objectNotInPrerequisiteState, `model "${fn.modelName}" has no trained artifact`);
  return Buffer.from(hex.slice(2), 'hex');
}

/** A text[] literal of job names (letters, digits, '-' and '_' only, but quoted all the same). */
function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Checks what versionQuery found: the caller may execute the model, and the version is READY. */
export function interpretVersion(context: StatementContext, fn: ModelFunction, rows: Array<Array<string | null>>): ResolvedVersion {
  const row = rows[0];
  const model = `${fn.modelSchema}.${fn.modelName}`;
  if (!row || row[7] !== 't') {
    throw new ClientError(SqlState.insufficientPrivilege, `permission denied for model ${model}`, {
      hint: `The model's owner can run GRANT EXECUTE ON FUNCTION ${fn.functionSchema}.${fn.name} to let you call it.`,
    });
  }
  const [version, state, jobName, failureReason, classes, activeVersion, ioPlan, , onnx, debug] = row;
  if (activeVersion === null && fn.pinnedVersion === undefined && state === 'READY') {
    throw new ClientError(SqlState.objectNotInPrerequisiteState, `model "${fn.modelName}" has no active version`, {
      hint: `Its activation is MANUAL: run ALTER MODEL ${fn.modelName} SET ACTIVE VERSION n.`,
    });
  }
  if (state !== 'READY') {
    const why = state === 'FAILED' ? `its training failed: ${failureReason}` : `its state is ${state}`;
    throw new ClientError(SqlState.objectNotInPrerequisiteState, `model "${fn.modelName}" is not ready: ${why}`, {
      hint: state === 'TRAINING' ? `SHOW MODEL ${fn.modelName} shows the training progress.` : undefined,
    });
  }
  return {
    modelName: fn.modelName,
    version: Number(version),
    jobName: jobName!,
    classes: classes ? (JSON.parse(classes) as unknown[]) : null,
    ioPlan: ioPlan ? (JSON.parse(ioPlan) as IoPlan) : null,
    debug: debug === 't',
    loadOnnx: async () => (onnx ? Buffer.from(onnx.slice(2), 'hex') : loadArtifact(context, fn, Number(version))),
  };
}

/**
 * The version's onnxruntime session, loaded once per proxy. Bytes onnxruntime cannot load (a
 * damaged artifact in the catalog) are this model's trouble: XX001 naming it, retried at the next
 * call, and no other model or session is touched.
 */
export async function openVersion(sessions: OnnxSessionCache, version: ResolvedVersion): Promise<ModelRunner> {
  // A remote model has no artifact: its rows go to its endpoint (src/remote/).
  const remote = remotePlanOf(version.ioPlan);
  if (remote) return { inputNames: [], run: () => Promise.reject(new Error('a remote model runs through its RemotePredictor')), remote: new RemotePredictor(remote, sessions.remoteEndpoints) };
  try {
    return await sessions.get(version.jobName, () => version.loadOnnx());
  } catch (error) {
    if (!(error instanceof ArtifactLoadError)) throw error;
    const name = version.modelName;
    throw new ClientError(SqlState.dataCorrupted, `the stored ONNX artifact of model "${name}" (version ${version.version}) is corrupt: onnxruntime cannot load it`, {
      detail: error.message,
      hint: `Train it again (CREATE OR REPLACE MODEL ${name} ...), or activate another version (ALTER MODEL ${name} SET ACTIVE VERSION n).`,
    });
  }
}

/**
 * A DEBUG line saying that onnxruntime evaluates this call in batches, and how, when the session
 * asked for DEBUG messages (no line: PostgreSQL's compiled body answers).
 */
export function sayEvaluator(context: StatementContext, fn: ModelFunction, version: ResolvedVersion, how: 'streamed' | 'materialized' | 'written back'): void {
  if (!version.debug) return;
  context.send(
    noticeResponse({
      severity: 'DEBUG',
      code: '00000',
      message: `modelgres: ${fn.name} evaluated by onnxruntime in batches (${how}), version ${version.version}`,
    }),
  );
}

/**
 * What the catalog keeps of a remote model version, in its io_plan column (the "how to feed this
 * model" of a version): the endpoint's name and the rows a request may carry. onnx is NULL.
 */
export interface RemotePlan {
  readonly inputs: 'remote';
  readonly endpoint: string;
  /** The model a multi-model endpoint is asked for (SAGEMAKER 'endpoint':'model'), if any. */
  readonly targetModel?: string;
  readonly maxBatchRows: number;
}

/** MAX_BATCH_ROWS when SETTINGS does not give it. */
export const DEFAULT_MAX_BATCH_ROWS = 1000;

export function remotePlan(endpoint: string, targetModel: string | undefined, maxBatchRows: number | undefined): RemotePlan {
  return { inputs: 'remote', endpoint, ...(targetModel !== undefined ? { targetModel } : {}), maxBatchRows: maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS };
}

/** The plan if a version's stored io_plan is a remote one, else null (a local model's plan, or none). */
export function remotePlanOf(plan: unknown): RemotePlan | null {
  if (typeof plan !== 'object' || plan === null) return null;
  const p = plan as Record<string, unknown>;
  if (p.inputs !== 'remote' || typeof p.endpoint !== 'string' || typeof p.maxBatchRows !== 'number') return null;
  const targetModel = typeof p.targetModel === 'string' ? { targetModel: p.targetModel } : {};
  return { inputs: 'remote', endpoint: p.endpoint, ...targetModel, maxBatchRows: p.maxBatchRows };
}

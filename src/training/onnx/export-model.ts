import type { EncodingPlan } from '../data/feature-encoding.ts';
import { inputKindOf } from '../data/input-values.ts';
import type { FittedModel } from '../model/fitted-model.ts';
import type { ClassValue, MetricName, ModelType, ProblemType } from '../types.ts';
import { GraphBuilder } from './graph-builder.ts';
import { linearGraph } from './linear-graph.ts';
import { outputHead } from './output-head.ts';
import { preprocessingGraph } from './preprocessing-graph.ts';
import { treeEnsembleGraph } from './tree-ensemble-graph.ts';

/** metadata_props key holding ModelMetadata as JSON. */
export const METADATA_KEY = 'modelgres';

/** What a reader of the ONNX file needs besides the graph (see onnx-contract.md). */
export interface ModelMetadata {
  format: 1;
  modelType: ModelType;
  problemType: ProblemType;
  objective: string;
  /** One per feature, in the function's parameter order. */
  inputs: Array<{ name: string; column: string; type: string; tensor: 'float32' | 'float64' | 'string' }>;
  /** Columns of the internal float32 matrix the model reads. */
  baseColumns: string[];
  classes: ClassValue[] | null;
  outputs: string[];
  validation: { metric: MetricName; value: number };
}

export function exportOnnx(
  plan: EncodingPlan,
  model: FittedModel,
  info: { modelType: ModelType; problemType: ProblemType; objective: string; classes?: ClassValue[]; validation: ModelMetadata['validation'] },
): Uint8Array {
  const g = new GraphBuilder();
  const features = preprocessingGraph(g, plan);
  const margin = model.kind === 'gbdt' ? treeEnsembleGraph(g, model, features) : linearGraph(g, model, features);
  const classification = info.problemType !== 'REGRESSION';
  outputHead(g, model.transform, classification, info.classes?.length ?? 0, margin);
  const metadata: ModelMetadata = {
    format: 1,
    modelType: info.modelType,
    problemType: info.problemType,
    objective: info.objective,
    inputs: plan.features.map((f) => ({ name: f.input, column: f.name, type: f.type, tensor: inputKindOf(f.type) })),
    baseColumns: plan.columns.map((c) => c.name),
    classes: info.classes ?? null,
    outputs: classification ? ['label', 'probabilities'] : ['variable'],
    validation: info.validation,
  };
  return g.encode(
    {
      [METADATA_KEY]: JSON.stringify(metadata),
      features: JSON.stringify(plan.features.map((f) => f.name)),
      ...(info.classes ? { classes: JSON.stringify(info.classes) } : {}),
    },
    `modelgres ${info.modelType} ${info.problemType} (${info.objective})`,
  );
}

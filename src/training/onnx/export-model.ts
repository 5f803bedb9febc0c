import type { EncodingPlan } from '../data/feature-encoding.ts';
import { inputKindOf } from '../data/input-values.ts';
import type { KmeansModel } from '../kmeans/kmeans-model.ts';
import type { FittedModel } from '../model/fitted-model.ts';
import type { ClassValue, ModelType, TrainedProblemType, ValidationMetric } from '../types.ts';
import { GraphBuilder } from './graph-builder.ts';
import { kmeansGraph } from './kmeans-graph.ts';
import { linearGraph } from './linear-graph.ts';
import { mlpGraph } from './mlp-graph.ts';
import { outputHead } from './output-head.ts';
import type { Preprocessing } from '../data/preprocessors.ts';
import { preprocessingGraph } from './preprocessing-graph.ts';
import { preprocessorGraph } from './preprocessor-graph.ts';
import { treeEnsembleGraph } from './tree-ensemble-graph.ts';

/** metadata_props key holding ModelMetadata as JSON. */
export const METADATA_KEY = 'modelgres';

/** What a reader of the ONNX file needs besides the graph (see onnx-contract.md). */
export interface ModelMetadata {
  format: 1;
  modelType: ModelType;
  /** CLUSTERING for KMEANS, whose only output is 'label' (the cluster id). */
  problemType: TrainedProblemType;
  objective: string;
  /** One per feature, in the function's parameter order. */
  inputs: Array<{ name: string; column: string; type: string; tensor: 'float32' | 'float64' | 'string' }>;
  /** Columns of the internal float32 matrix the model reads (after PREPROCESSORS, if any). */
  baseColumns: string[];
  classes: ClassValue[] | null;
  outputs: string[];
  validation: { metric: ValidationMetric; value: number };
}

/** Margin graph per supervised model kind; a new kind nobody exports does not compile. */
const MARGIN_GRAPHS: { [K in FittedModel['kind']]: (g: GraphBuilder, m: Extract<FittedModel, { kind: K }>, features: string) => string } = {
  gbdt: treeEnsembleGraph,
  linear: linearGraph,
  mlp: mlpGraph,
};

export function exportOnnx(
  plan: EncodingPlan,
  model: FittedModel | KmeansModel,
  info: { modelType: ModelType; problemType: TrainedProblemType; objective: string; classes?: ClassValue[]; validation: ModelMetadata['validation'] },
  pre?: Preprocessing,
): Uint8Array {
  const g = new GraphBuilder();
  const base = preprocessingGraph(g, plan);
  const features = pre === undefined ? base : preprocessorGraph(g, pre, base);
  const classification = info.problemType !== 'REGRESSION';
  if (model.kind === 'kmeans') {
    kmeansGraph(g, model, features);
  } else {
    const margin = MARGIN_GRAPHS[model.kind](g, model as never, features);
    outputHead(g, model.transform, classification, info.classes?.length ?? 0, margin);
  }
  const metadata: ModelMetadata = {
    format: 1,
    modelType: info.modelType,
    problemType: info.problemType,
    objective: info.objective,
    inputs: plan.features.map((f) => ({ name: f.input, column: f.name, type: f.type, tensor: inputKindOf(f.type) })),
    baseColumns: (pre?.plan ?? plan).columns.map((c) => c.name),
    classes: info.classes ?? null,
    outputs: model.kind === 'kmeans' ? ['label'] : classification ? ['label', 'probabilities'] : ['variable'],
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

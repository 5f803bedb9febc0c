import type { InferenceSession } from 'onnxruntime-node';
import type { GraphProto } from './onnx-graph.ts';

/** A dimension: a size, or null when it varies (symbolic or unnamed, as a batch dimension is). */
export type Dim = number | null;

/** One input or output of the model, as planning needs it. */
export interface ModelValue {
  name: string;
  kind: 'tensor' | 'sequence-map' | 'other';
  /** Element type as onnxruntime names it ('float32', 'int64', 'string', ...); '' when not a tensor. */
  type: string;
  /** null when the rank is not declared. */
  shape: Dim[] | null;
}

export function modelValues(metadata: readonly InferenceSession.ValueMetadata[], graph: GraphProto, side: 'input' | 'output'): ModelValue[] {
  const declared = side === 'input' ? graph.input ?? [] : graph.output ?? [];
  return metadata.map((m) => {
    const info = declared.find((v) => v.name === m.name);
    if (!m.isTensor) {
      const sequenceOfMaps = Boolean(info?.type?.sequenceType?.elemType?.mapType);
      return { name: m.name, kind: sequenceOfMaps ? 'sequence-map' : 'other', type: '', shape: null };
    }
    // onnxruntime reports [] both for a scalar and for a shape left out; only the graph tells them apart.
    const rankKnown = m.shape.length > 0 || Boolean(info?.type?.tensorType?.shape);
    const shape = rankKnown ? m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)) : null;
    return { name: m.name, kind: 'tensor', type: m.type, shape };
  });
}

/** 'x (float32 [N, 3])', for messages. */
export function describeValue(v: ModelValue): string {
  if (v.kind === 'sequence-map') return `${v.name} (a sequence of maps)`;
  if (v.kind === 'other') return `${v.name} (not a tensor)`;
  const shape = v.shape === null ? 'of any shape' : `[${v.shape.map((d) => d ?? 'N').join(', ')}]`;
  return `${v.name} (${v.type} ${shape})`;
}

export function describeValues(values: ModelValue[]): string {
  return values.map(describeValue).join(', ');
}

/** Rows along the first dimension and one value per row: [N], [N, 1], or a shape left unknown. */
export function isColumn(v: ModelValue): boolean {
  if (v.shape === null) return true;
  return v.shape.length === 1 || (v.shape.length === 2 && v.shape[1] === 1);
}

import type { GraphProto } from './onnx-graph.ts';

const utf8 = new TextDecoder();

/**
 * The classes of the probability columns, as the graph's ai.onnx.ml classifier or ZipMap node
 * declares them (classlabels_ints, classlabels_int64s, classlabels_strings: one per column, in
 * column order). Undefined when no such node has `columns` labels of the label's type; the
 * columns are then class 0, 1, ... as in a graph whose label is ArgMax of the probabilities.
 */
export function classLabelsOf(graph: GraphProto, labelType: 'int64' | 'string' | 'float32', columns: number | null): Array<string | number> | undefined {
  for (const node of graph.node ?? []) {
    if (node.domain !== 'ai.onnx.ml') continue;
    for (const attr of node.attribute ?? []) {
      if (!attr.name?.startsWith('classlabels_')) continue;
      const labels =
        attr.name === 'classlabels_strings'
          ? labelType === 'string' ? (attr.strings ?? []).map((s) => utf8.decode(s)) : undefined
          : labelType === 'int64' ? (attr.ints ?? []).map(toNumber) : undefined;
      if (labels && labels.length > 0 && (columns === null || labels.length === columns)) return labels;
    }
  }
  return undefined;
}

/** protobufjs gives int64 as a number, or as a Long when the long package is around. */
function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v));
}

import { Unsupported } from './compile-target.ts';
import { atMostBound, belowBound, float4Literal, float8Literal } from './float32.ts';
import type { Node } from './onnx-reader.ts';
import { Expr, joinExprs, sql } from './sql-expr.ts';
import { type Scalar, type Tensor, rows, value32 } from './symbolic-tensor.ts';

/**
 * ai.onnx.ml TreeEnsembleRegressor (and the score part of TreeEnsembleClassifier) as one CASE
 * expression per tree, summed in float4 in tree order and then the base value added, as
 * onnxruntime's SUM aggregator does in float32 (one thread, trees in order).
 *
 * A split `fround(x) < t` is tested on x itself, a float8 (float32.ts: belowBound), so no
 * comparison casts and a float8 argument goes into the trees as it is: `x < m` per split is all
 * the planner evaluates. NULL and NaN are missing. `CASE WHEN x < m THEN a ELSE b END` sends
 * both to b (NULL fails the test; NaN sorts above every number in PostgreSQL), right when
 * missing values go to the false branch; when they go to the true branch the test is turned
 * round and negated, `CASE WHEN -x <= -m THEN b ELSE a END`, which NaN (-NaN is NaN) fails too:
 * one comparison per split either way (`x >= m AND x < 'NaN'` measured 10-25% slower).
 */

interface TreeNode {
  feature: number;
  mode: string;
  threshold: number;
  trueId: number;
  falseId: number;
  missingTrue: boolean;
  /** target -> summed weight, for leaves. */
  weights: Map<number, number>;
}

type Test = { op: '<' | '<=' | '>' | '>='; m: number } | 'never' | 'always';

export interface TreeScores {
  /** Per target, the float4 sum of the trees (before base values). */
  sums: Array<Expr | null>;
  treeCount: number;
}

/** Reads the ensemble's nodes and leaf weights; `prefix` is 'target' or 'class'. */
export function treeScores(node: Node, input: Tensor, prefix: 'target' | 'class', targets: number): TreeScores {
  if (input.kind !== 'rows') throw new Unsupported(`${node.opType} of a constant`);
  const treeIds = node.ints('nodes_treeids');
  const nodeIds = node.ints('nodes_nodeids');
  const featureIds = node.ints('nodes_featureids');
  const values = node.has('nodes_values') ? node.floats('nodes_values') : numbersOf(node, 'nodes_values_as_tensor');
  const modes = node.strings('nodes_modes');
  const trueIds = node.ints('nodes_truenodeids');
  const falseIds = node.ints('nodes_falsenodeids');
  const missing = node.ints('nodes_missing_value_tracks_true', []);
  const trees = new Map<number, Map<number, TreeNode>>();
  treeIds.forEach((t, i) => {
    if (!trees.has(t)) trees.set(t, new Map());
    trees.get(t)!.set(nodeIds[i], {
      feature: featureIds[i], mode: modes[i], threshold: values[i], trueId: trueIds[i], falseId: falseIds[i],
      missingTrue: missing[i] === 1, weights: new Map(),
    });
  });
  const wTrees = node.ints(`${prefix}_treeids`);
  const wNodes = node.ints(`${prefix}_nodeids`);
  const wIds = node.ints(`${prefix}_ids`);
  const wValues = node.has(`${prefix}_weights`) ? node.floats(`${prefix}_weights`) : numbersOf(node, `${prefix}_weights_as_tensor`);
  wTrees.forEach((t, i) => {
    const leaf = trees.get(t)?.get(wNodes[i]);
    if (!leaf) throw new Unsupported(`${node.opType} with a weight on a node that does not exist`);
    leaf.weights.set(wIds[i], Math.fround((leaf.weights.get(wIds[i]) ?? 0) + wValues[i]));
  });
  const operands = input.cols.map(operandOf);
  const order = [...trees.keys()].sort((a, b) => a - b);
  const sums: Array<Expr | null> = [];
  for (let target = 0; target < targets; target++) {
    const terms: Expr[] = [];
    for (const t of order) {
      const tree = trees.get(t)!;
      const root = rootOf(tree);
      const e = treeExpr(node, tree, root, target, operands, 0);
      if (e !== null) terms.push(e);
    }
    sums.push(terms.length === 0 ? null : terms.length === 1 ? terms[0] : joinExprs('float4', terms, '\n  + ', '(', ')'));
  }
  return { sums, treeCount: order.length };
}

/** TreeEnsembleRegressor -> [N, n_targets] float32. */
export function treeEnsembleRegressor(node: Node, input: Tensor): Tensor {
  const targets = node.int('n_targets', 1);
  const transform = node.string('post_transform', 'NONE');
  if (transform !== 'NONE') throw new Unsupported(`the ONNX operator TreeEnsembleRegressor (ai.onnx.ml) with post_transform ${transform}`);
  const aggregate = node.string('aggregate_function', 'SUM');
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE') throw new Unsupported(`the ONNX operator TreeEnsembleRegressor (ai.onnx.ml) with aggregate_function ${aggregate}`);
  const base = node.has('base_values') ? node.floats('base_values') : node.has('base_values_as_tensor') ? numbersOf(node, 'base_values_as_tensor') : [];
  const { sums, treeCount } = treeScores(node, input, 'target', targets);
  const leaves = node.floats('target_weights', []).reduce((s, w) => s + Math.abs(w), 0);
  return rows(sums.map((sum, t) => {
    let e = sum ?? float4Literal(0);
    if (aggregate === 'AVERAGE') e = sql('float4')`(${e} / ${float4Literal(treeCount)})`;
    if (base.length > 0) e = sql('float4')`(${e} + ${float4Literal(base[t])})`;
    return { elem: 'float32', expr: e, bound: leaves + Math.abs(base[t] ?? 0), nan: false };
  }));
}

function rootOf(tree: Map<number, TreeNode>): number {
  const children = new Set<number>();
  for (const n of tree.values()) if (n.mode !== 'LEAF') children.add(n.trueId).add(n.falseId);
  for (const id of tree.keys()) if (!children.has(id)) return id;
  throw new Unsupported('a tree without a root');
}

interface Operand {
  /** float8-comparable SQL of the feature (may be NULL). */
  expr: Expr;
  /** May be NaN (a float that is not known to be a number). */
  nan: boolean;
  /** Thresholds apply to the float32 rounding of expr (float32 inputs), or to expr itself (float64). */
  single: boolean;
}

function operandOf(s: Scalar): Operand {
  switch (s.elem) {
    case 'float32':
      return { expr: s.wide ? s.expr : s.nullable ? s.expr : value32(s), nan: s.nan !== false, single: true };
    case 'float64':
      return { expr: s.expr, nan: s.nan !== false, single: false };
    case 'int64':
    case 'int32':
      return { expr: sql('float8', { cheap: true })`${s.expr}::float8`, nan: false, single: true };
    default:
      throw new Unsupported(`a tree ensemble on ${s.elem} values`);
  }
}

/** The test that sends a non-missing x to the true branch, on the float8 x. */
function testOf(mode: string, threshold: number, single: boolean): Test {
  const below = (t: number) => (single ? belowBound(t) : { op: '<' as const, m: t });
  const atMost = (t: number) => (single ? atMostBound(t) : { op: '<=' as const, m: t });
  const flip = (b: { op: '<' | '<='; m: number } | null): Test => (b === null ? 'always' : { op: b.op === '<' ? '>=' : '>', m: b.m });
  switch (mode) {
    case 'BRANCH_LT': return below(threshold) ?? 'never';
    case 'BRANCH_LEQ': return atMost(threshold) ?? 'never';
    case 'BRANCH_GTE': return flip(below(threshold));
    case 'BRANCH_GT': return flip(atMost(threshold));
    default: throw new Unsupported(`the ONNX operator TreeEnsemble (ai.onnx.ml) with ${mode} nodes`);
  }
}

const COMPLEMENT = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const;

function treeExpr(node: Node, tree: Map<number, TreeNode>, id: number, target: number, operands: Operand[], depth: number): Expr | null {
  const n = tree.get(id);
  if (!n) throw new Unsupported(`${node.opType} with a branch to a node that does not exist`);
  if (depth > 200) throw new Unsupported(`${node.opType} with a tree deeper than 200`);
  if (n.mode === 'LEAF') {
    const w = n.weights.get(target);
    return w === undefined ? null : float4Literal(w);
  }
  const x = operands[n.feature];
  if (!x) throw new Unsupported(`${node.opType} reading feature ${n.feature} of ${operands.length}`);
  const onTrue = treeExpr(node, tree, n.trueId, target, operands, depth + 1);
  const onFalse = treeExpr(node, tree, n.falseId, target, operands, depth + 1);
  if (onTrue === null && onFalse === null) return null;
  const a = onTrue ?? float4Literal(0);
  const b = onFalse ?? float4Literal(0);
  const test = testOf(n.mode, n.threshold, x.single);
  if (test === 'never') return n.missingTrue ? caseOf(isMissing(x), a, b) : b;
  if (test === 'always') return n.missingTrue ? a : caseOf(isMissing(x), b, a);
  // One comparison per split. A test written with < or <= is false for NULL and NaN (NaN sorts
  // above every number in PostgreSQL); one that needs > or >= is written on -x instead
  // (x > m is -x < -m), where NaN, negated, is still NaN and still fails.
  const write = (op: '<' | '<=' | '>' | '>='): Expr => {
    if (op === '<' || op === '<=' || !x.nan) return sql('bool')`${x.expr} ${op} ${float8Literal(test.m)}`;
    return sql('bool')`- ${x.expr} ${op === '>' ? '<' : '<='} ${float8Literal(-test.m)}`;
  };
  return n.missingTrue ? caseOf(write(COMPLEMENT[test.op]), b, a) : caseOf(write(test.op), a, b);
}

function isMissing(x: Operand): Expr {
  return x.nan ? sql('bool')`(${x.expr} IS NULL OR ${x.expr} = 'NaN'::float8)` : sql('bool')`${x.expr} IS NULL`;
}

function caseOf(when: Expr, then: Expr, otherwise: Expr): Expr {
  return sql('float4')`CASE WHEN ${when} THEN ${then} ELSE ${otherwise} END`;
}

function numbersOf(node: Node, name: string): number[] {
  const t = node.tensor(name);
  if (!t || t.kind !== 'const') throw new Unsupported(`the ONNX operator ${node.opType} without ${name.replace('_as_tensor', '')}`);
  return t.values.map(Number);
}


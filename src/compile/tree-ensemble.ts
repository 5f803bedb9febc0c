import { Unsupported } from './compile-target.ts';
import { atMostBound, belowBound, float4Literal, floatText } from './float32.ts';
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
  // A model's thresholds come from a few hundred cuts per feature: their text is made once.
  const thresholds = new Map<number, string>();
  for (let target = 0; target < targets; target++) {
    const terms: Expr[] = [];
    for (const t of order) {
      const tree = trees.get(t)!;
      const e = treeExpr(node, tree, rootOf(tree), target, operands, thresholds);
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
  switch (mode) {
    case 'BRANCH_LT': return below(threshold, single) ?? 'never';
    case 'BRANCH_LEQ': return atMost(threshold, single) ?? 'never';
    case 'BRANCH_GTE': return flip(below(threshold, single));
    case 'BRANCH_GT': return flip(atMost(threshold, single));
    default: throw new Unsupported(`the ONNX operator TreeEnsemble (ai.onnx.ml) with ${mode} nodes`);
  }
}

function below(t: number, single: boolean): { op: '<' | '<='; m: number } | null {
  return single ? belowBound(t) : { op: '<', m: t };
}

function atMost(t: number, single: boolean): { op: '<' | '<='; m: number } | null {
  return single ? atMostBound(t) : { op: '<=', m: t };
}

function flip(b: { op: '<' | '<='; m: number } | null): Test {
  return b === null ? 'always' : { op: b.op === '<' ? '>=' : '>', m: b.m };
}

const COMPLEMENT = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const;

/**
 * One tree's CASE expression for `target`, or null when none of its leaves weighs on it. Written
 * as one Expr whose parts are the SQL text with the operands in between: the same text as an
 * Expr per node and split would give, without some 40,000 small Exprs per model for emit-body.ts
 * to walk (it was most of a body's compile time). An operand still counts once per use there.
 */
function treeExpr(
  node: Node, tree: Map<number, TreeNode>, root: number, target: number, operands: Operand[], thresholds: Map<number, string>,
): Expr | null {
  const weighs = new Map<number, boolean>();
  if (!weighsOn(node, tree, root, target, operands, 0, weighs)) return null;
  const w: TreeWriting = { tree, target, operands, weighs, thresholds, parts: [] };
  writeTree(w, root);
  return new Expr('float4', w.parts);
}

/** One tree being written for one target. */
interface TreeWriting {
  tree: Map<number, TreeNode>;
  target: number;
  operands: Operand[];
  /** weighsOn's answer per node. */
  weighs: Map<number, boolean>;
  /** float8Text per threshold, shared by the ensemble's trees. */
  thresholds: Map<number, string>;
  /** The SQL so far: text, with the operands' Exprs in between. */
  parts: Array<string | Expr>;
}

const SPLIT_MODES = new Set(['BRANCH_LT', 'BRANCH_LEQ', 'BRANCH_GTE', 'BRANCH_GT']);

/**
 * Whether the subtree at `id` has a leaf weighing on `target`, noted per node; checks the tree's
 * shape on the way, as writing it would.
 */
function weighsOn(
  node: Node, tree: Map<number, TreeNode>, id: number, target: number, operands: Operand[], depth: number, weighs: Map<number, boolean>,
): boolean {
  const n = tree.get(id);
  if (!n) throw new Unsupported(`${node.opType} with a branch to a node that does not exist`);
  if (depth > 200) throw new Unsupported(`${node.opType} with a tree deeper than 200`);
  let found: boolean;
  if (n.mode === 'LEAF') found = n.weights.has(target);
  else {
    if (!operands[n.feature]) throw new Unsupported(`${node.opType} reading feature ${n.feature} of ${operands.length}`);
    const onTrue = weighsOn(node, tree, n.trueId, target, operands, depth + 1, weighs);
    const onFalse = weighsOn(node, tree, n.falseId, target, operands, depth + 1, weighs);
    found = onTrue || onFalse;
    if (found && !SPLIT_MODES.has(n.mode)) throw new Unsupported(`the ONNX operator TreeEnsemble (ai.onnx.ml) with ${n.mode} nodes`);
  }
  weighs.set(id, found);
  return found;
}

/** Appends the SQL of the subtree at `id`: 0 when it does not weigh on the target. */
function writeTree(w: TreeWriting, id: number): void {
  const parts = w.parts;
  if (!w.weighs.get(id)) {
    text(parts, ZERO);
    return;
  }
  const n = w.tree.get(id)!;
  if (n.mode === 'LEAF') {
    text(parts, float4Text(n.weights.get(w.target)!));
    return;
  }
  const x = w.operands[n.feature];
  const test = testOf(n.mode, n.threshold, x.single);
  // With a test that never or always holds, only missing values may go the other way.
  if (test === 'never' || test === 'always') {
    const taken = test === 'always' ? n.trueId : n.falseId;
    const other = test === 'always' ? n.falseId : n.trueId;
    if (n.missingTrue === (test === 'always')) {
      writeTree(w, taken);
      return;
    }
    text(parts, 'CASE WHEN ');
    writeIsMissing(x, parts);
    text(parts, ' THEN ');
    writeTree(w, other);
    text(parts, ' ELSE ');
    writeTree(w, taken);
    text(parts, ' END');
    return;
  }
  // One comparison per split. A test written with < or <= is false for NULL and NaN (NaN sorts
  // above every number in PostgreSQL); one that needs > or >= is written on -x instead
  // (x > m is -x < -m), where NaN, negated, is still NaN and still fails. Missing values going
  // to the true branch: the test turned round, its branches swapped.
  const op = n.missingTrue ? COMPLEMENT[test.op] : test.op;
  text(parts, 'CASE WHEN ');
  if (op === '<' || op === '<=' || !x.nan) {
    parts.push(x.expr);
    text(parts, ` ${op} ${float8Text(test.m, w.thresholds)}`);
  } else {
    text(parts, '- ');
    parts.push(x.expr);
    text(parts, ` ${op === '>' ? '<' : '<='} ${float8Text(-test.m, w.thresholds)}`);
  }
  text(parts, ' THEN ');
  writeTree(w, n.missingTrue ? n.falseId : n.trueId);
  text(parts, ' ELSE ');
  writeTree(w, n.missingTrue ? n.trueId : n.falseId);
  text(parts, ' END');
}

function writeIsMissing(x: Operand, parts: Array<string | Expr>): void {
  if (x.nan) {
    text(parts, '(');
    parts.push(x.expr);
    text(parts, ' IS NULL OR ');
    parts.push(x.expr);
    text(parts, " = 'NaN'::float8)");
  } else {
    parts.push(x.expr);
    text(parts, ' IS NULL');
  }
}

/** Appends SQL text, joined to the text before it. */
function text(parts: Array<string | Expr>, s: string): void {
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === 'string') parts[last] += s;
  else parts.push(s);
}

const ZERO = float4Text(0);

/** float4Literal's text. */
function float4Text(v: number): string {
  return `'${floatText(Math.fround(v))}'::float4`;
}

/** float8Literal's text, remembered in `texts`. */
function float8Text(v: number, texts: Map<number, string>): string {
  let t = texts.get(v);
  if (t === undefined) {
    t = `'${floatText(v)}'::float8`;
    // 0 and -0 are one key to a Map, but not one text.
    if (v !== 0) texts.set(v, t);
  }
  return t;
}

function numbersOf(node: Node, name: string): number[] {
  const t = node.tensor(name);
  if (!t || t.kind !== 'const') throw new Unsupported(`the ONNX operator ${node.opType} without ${name.replace('_as_tensor', '')}`);
  return t.values.map(Number);
}


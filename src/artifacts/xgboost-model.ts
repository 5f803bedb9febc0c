import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { refuse } from './refusal.ts';

/** The objectives converted, with how XGBoost's predict() turns margins into what it returns. */
export type XgboostObjective = 'reg:squarederror' | 'binary:logistic' | 'multi:softprob' | 'multi:softmax';
const OBJECTIVES: readonly string[] = ['reg:squarederror', 'binary:logistic', 'multi:softprob', 'multi:softmax'];

/** One node of a tree as XGBoost keeps it: a split `x[feature] < threshold` (float32) or a leaf. */
export type XgboostNode =
  | { kind: 'split'; feature: number; threshold: number; left: number; right: number; missingLeft: boolean }
  | { kind: 'leaf'; value: number };

export interface XgboostTree {
  /** The class whose margin this tree adds to (tree_info); 0 unless multiclass. */
  output: number;
  /** Indexed by XGBoost's node id; only nodes reachable from the root 0 are set. */
  nodes: Map<number, XgboostNode>;
}

export interface XgboostModel {
  objective: XgboostObjective;
  featureCount: number;
  /** 1, or the number of classes for multi:*. */
  outputs: number;
  /** Per output, the margin every prediction starts from: base_score in margin space, as XGBoost computes it in float32. */
  baseMargins: number[];
  trees: XgboostTree[];
}

/**
 * Reads an XGBoost ≥ 1.0 JSON model (Booster.save_model('m.json')) into its trees. What the
 * conversion cannot reproduce exactly is refused with 0A000 naming it (other objectives, dart,
 * gblinear, categorical splits, vector leaves); a file that is not such a model with 22023.
 */
export function parseXgboostJson(text: string, userPath: string): XgboostModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw refuse(`model file '${userPath}' is not valid JSON (${(e as Error).message})`, 'Save the model with Booster.save_model(\'model.json\').');
  }
  return readXgboostDocument(doc, userPath);
}

/** The model's document, as JSON.parse gives it (or the UBJSON decoder). */
export function readXgboostDocument(doc: any, userPath: string): XgboostModel {
  const learner = doc?.learner;
  const booster = learner?.gradient_booster;
  if (!learner || !booster || !learner.learner_model_param || !learner.objective) {
    throw refuse(`model file '${userPath}' is JSON but not an XGBoost model (no learner.gradient_booster)`, 'Save the model with Booster.save_model(\'model.json\'), XGBoost 1.0 or later.');
  }
  const objective = String(learner.objective.name);
  if (!OBJECTIVES.includes(objective)) {
    throw unsupported(`the XGBoost objective ${objective}`, `Converted objectives: ${OBJECTIVES.join(', ')}.`);
  }
  if (booster.name !== 'gbtree') {
    throw unsupported(`the XGBoost booster ${booster.name}`, 'Only gbtree models are converted; train with booster=\'gbtree\'.');
  }
  const param = learner.learner_model_param;
  const featureCount = Number(param.num_feature);
  const numClass = Number(param.num_class ?? 0);
  const numTarget = Number(param.num_target ?? 1);
  if (numTarget > 1) throw unsupported('XGBoost models with several targets (num_target > 1)');
  const multiclass = objective.startsWith('multi:');
  const outputs = multiclass ? numClass : 1;
  if (!(featureCount >= 1) || (multiclass && !(numClass >= 2))) {
    throw refuse(`model file '${userPath}' has an XGBoost learner_model_param that makes no sense (num_feature ${param.num_feature}, num_class ${param.num_class})`);
  }
  const model = booster.model;
  const rawTrees: any[] = model?.trees;
  const treeInfo: number[] = model?.tree_info ?? [];
  if (!Array.isArray(rawTrees) || (multiclass && (!Array.isArray(treeInfo) || treeInfo.length !== rawTrees.length))) {
    throw refuse(`model file '${userPath}' has no XGBoost trees list${multiclass ? ' with a tree_info entry per tree' : ''}`);
  }
  const trees = rawTrees.map((t, i) => readTree(t, multiclass ? Number(treeInfo[i]) : 0, featureCount, outputs, userPath));
  const baseScores = baseScoresOf(param.base_score, outputs, userPath);
  return { objective: objective as XgboostObjective, featureCount, outputs, baseMargins: baseScores.map((b) => baseMarginOf(objective, b)), trees };
}

/** base_score is '5E-1' up to XGBoost 2.0, '[5E-1]' after, and may hold one value per class (3.x). */
function baseScoresOf(text: unknown, outputs: number, userPath: string): number[] {
  const given = String(text).replace(/^\[|\]$/g, '').split(',').map((v) => Number(v.trim()));
  const values = given.length === 1 ? new Array<number>(outputs).fill(given[0]) : given;
  if (values.length !== outputs || !values.every(Number.isFinite)) {
    throw refuse(`model file '${userPath}' has an XGBoost base_score that makes no sense (${String(text)})`);
  }
  return values;
}

/**
 * base_score is stored as the user gave it (a probability for binary:logistic); XGBoost starts
 * every prediction from its margin, -log(1/p - 1), computed in float32.
 */
function baseMarginOf(objective: string, baseScore: number): number {
  const b = Math.fround(baseScore);
  if (objective !== 'binary:logistic') return b;
  return Math.fround(-Math.log(Math.fround(Math.fround(1 / b) - 1)));
}

function readTree(t: any, output: number, featureCount: number, outputs: number, userPath: string): XgboostTree {
  const left: number[] = t.left_children;
  const right: number[] = t.right_children;
  const features: number[] = t.split_indices;
  const conditions: number[] = t.split_conditions;
  const defaultLeft: Array<number | boolean> = t.default_left;
  const splitType: number[] = t.split_type ?? [];
  if (Number(t.tree_param?.size_leaf_vector ?? 0) > 1) throw unsupported('XGBoost trees with vector leaves (multi_strategy multi_output_tree)');
  const columns = [left, right, features, conditions, defaultLeft];
  if (!columns.every((c) => Array.isArray(c) && c.length === left.length)) {
    throw refuse(`model file '${userPath}' has an XGBoost tree whose left_children, right_children, split_indices, split_conditions and default_left are not lists of one length`);
  }
  if (!(output >= 0 && output < outputs)) throw refuse(`model file '${userPath}' has a tree for class ${output}, outside its ${outputs} classes`);
  const nodes = new Map<number, XgboostNode>();
  const pending = [0];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (nodes.has(id) || !(id >= 0 && id < left.length)) throw refuse(`model file '${userPath}' has a malformed XGBoost tree (node ${id} reached twice or missing)`);
    if (typeof conditions[id] !== 'number' || !Number.isFinite(conditions[id])) throw refuse(`model file '${userPath}' has an XGBoost node ${id} whose split condition or leaf value is not a number`);
    if (left[id] === -1) {
      nodes.set(id, { kind: 'leaf', value: Math.fround(conditions[id]) });
      continue;
    }
    if (splitType[id] === 1) throw unsupported('XGBoost categorical splits', 'Encode categories as numbers (one-hot or ordinal) before training, or export the model to ONNX yourself.');
    if (!(features[id] >= 0 && features[id] < featureCount)) throw refuse(`model file '${userPath}' splits on feature ${features[id]}, but has ${featureCount} features`);
    nodes.set(id, {
      kind: 'split', feature: features[id], threshold: Math.fround(conditions[id]),
      left: left[id], right: right[id], missingLeft: defaultLeft[id] === 1 || defaultLeft[id] === true,
    });
    pending.push(right[id], left[id]);
  }
  return { output, nodes };
}

function unsupported(what: string, hint?: string): ClientError {
  return new ClientError(SqlState.featureNotSupported, `${what} is not supported in model files`, { hint });
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainGbdt } from '../../../src/training/gbdt/gbdt-trainer.ts';
import type { Tree } from '../../../src/training/gbdt/tree.ts';
import { parseHyperparameters } from '../../../src/training/spec/hyperparameters.ts';
import type { XgbObjective } from '../../../src/training/spec/objectives.ts';
import { createRandom } from '../../../src/training/util/random.ts';

/**
 * modelgres's GBDT beside XGBoost's (Debian's python3-xgboost, bench/xgboost-dump.py) on the
 * same rows and hyperparameters, both trees in one comparable form: splits (feature, float32
 * threshold, missing direction) and leaves (float32 value, cover). Used by bench/tree-by-tree.ts
 * and test/training/first-tree-xgboost.test.ts.
 */
export type ComparableNode =
  | { feature: number; threshold: number; missingLeft: boolean; cover: number; left: ComparableNode; right: ComparableNode }
  | { leaf: number; cover: number };

export interface TreeCase {
  x: Float32Array;
  rows: number;
  features: number;
  y: Float64Array;
  objective: XgbObjective;
  /** modelgres's hyperparameters as a user writes them in SETTINGS (HYPERPARAMETERS ...). */
  hyperparameters: Record<string, string>;
}

export const PYTHON = '/usr/bin/python3';
const DUMP_SCRIPT = path.join(import.meta.dirname, '../../../bench/xgboost-dump.py');

/** The xgboost version /usr/bin/python3 imports, or undefined when it cannot. */
export function xgboostVersion(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import xgboost, numpy; print(xgboost.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export async function modelgresTrees(c: TreeCase): Promise<{ trees: Tree[]; baseMargin: number[] }> {
  const params = parseHyperparameters(c.hyperparameters);
  const { model } = await trainGbdt(
    { x: c.x, rows: c.rows, features: c.features, y: c.y, classCount: 0 }, c.objective, params, createRandom(1),
    { deadline: Infinity, yield: async () => {} }, 'one',
  );
  return { trees: model.trees, baseMargin: model.baseMargin };
}

/**
 * XGBoost's trees on the same rows, every row starting from modelgres's base margin (DMatrix
 * base_margin), so both start from the same place. modelgres bins as XGBoost with max_bin 255 (src/training/gbdt/quantile-cuts.ts).
 */
export function xgboostTrees(c: TreeCase, baseMargin: number, maxBin = 255): ComparableNode[] {
  const p = parseHyperparameters(c.hyperparameters);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xgb-dump-'));
  try {
    writeFileSync(path.join(dir, 'x.f32'), new Uint8Array(c.x.buffer, c.x.byteOffset, c.x.byteLength));
    writeFileSync(path.join(dir, 'y.f64'), new Uint8Array(c.y.buffer, c.y.byteOffset, c.y.byteLength));
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({
      rows: c.rows, features: c.features, objective: c.objective, rounds: p.numRound, base_margin: baseMargin,
      params: {
        eta: p.eta, max_depth: p.maxDepth, lambda: p.lambda, alpha: p.alpha, gamma: p.gamma,
        min_child_weight: p.minChildWeight, max_delta_step: p.maxDeltaStep, max_bin: maxBin,
      },
    }));
    const r = spawnSync(PYTHON, [DUMP_SCRIPT, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`bench/xgboost-dump.py failed: ${r.stderr || String(r.error)}`);
    const dump = JSON.parse(r.stdout) as { trees: XgbDumpNode[] };
    return dump.trees.map(fromXgboost);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface XgbDumpNode {
  nodeid: number;
  split?: string;
  split_condition?: number;
  yes?: number;
  no?: number;
  missing?: number;
  cover: number;
  leaf?: number;
  children?: XgbDumpNode[];
}

function fromXgboost(n: XgbDumpNode): ComparableNode {
  if (n.leaf !== undefined) return { leaf: Math.fround(n.leaf), cover: n.cover };
  const kids = n.children as XgbDumpNode[];
  const left = kids.find((k) => k.nodeid === n.yes) as XgbDumpNode;
  const right = kids.find((k) => k.nodeid === n.no) as XgbDumpNode;
  return {
    feature: Number((n.split as string).slice(1)), threshold: Math.fround(n.split_condition as number),
    missingLeft: n.missing === n.yes, cover: n.cover, left: fromXgboost(left), right: fromXgboost(right),
  };
}

export function fromModelgres(tree: Tree, id = 0): ComparableNode {
  const n = tree.nodes[id];
  if (n.kind === 'leaf') return { leaf: Math.fround(n.value), cover: n.cover };
  return {
    feature: n.feature, threshold: Math.fround(n.threshold), missingLeft: n.missingLeft, cover: n.cover,
    left: fromModelgres(tree, n.left), right: fromModelgres(tree, n.right),
  };
}

/**
 * Where two trees differ, one line per difference with the node's path from the root (L/R).
 * Splits and leaf values must be equal as float32; covers (hessian sums, printed by XGBoost to
 * nine digits) within 1e-6 relative.
 */
export function treeDifferences(ours: ComparableNode, theirs: ComparableNode, at = 'root'): string[] {
  const coverOk = Math.abs(ours.cover - theirs.cover) <= 1e-6 * Math.max(1, Math.abs(theirs.cover));
  const cover = coverOk ? [] : [`${at}: cover ${ours.cover} vs XGBoost ${theirs.cover}`];
  if ('leaf' in ours && 'leaf' in theirs) {
    return [...(ours.leaf === theirs.leaf ? [] : [`${at}: leaf ${ours.leaf} vs XGBoost ${theirs.leaf}`]), ...cover];
  }
  if ('leaf' in ours || 'leaf' in theirs) return [`${at}: ${describe(ours)} vs XGBoost ${describe(theirs)}`];
  const a = ours as Extract<ComparableNode, { feature: number }>;
  const b = theirs as Extract<ComparableNode, { feature: number }>;
  if (a.feature !== b.feature || a.threshold !== b.threshold) return [`${at}: ${describe(a)} vs XGBoost ${describe(b)}`];
  return [
    ...(a.missingLeft === b.missingLeft ? [] : [`${at}: missing ${a.missingLeft ? 'left' : 'right'} vs XGBoost ${b.missingLeft ? 'left' : 'right'}`]),
    ...cover,
    ...treeDifferences(a.left, b.left, `${at}.L`),
    ...treeDifferences(a.right, b.right, `${at}.R`),
  ];
}

function describe(n: ComparableNode): string {
  return 'leaf' in n ? `leaf ${n.leaf}` : `split f${n.feature} < ${n.threshold} (missing ${n.missingLeft ? 'left' : 'right'})`;
}

/**
 * Five features that exercise the binning: a continuous one (more distinct values than bins), a
 * small integer (a bin per value), one with 10% missing values, one with heavy ties, and noise;
 * a noisy regression target and a 0/1 one from the same signal.
 */
export function comparisonTable(n: number): { x: Float32Array; features: number; yReg: Float64Array; yBin: Float64Array } {
  const r = createRandom(7);
  const F = 5;
  const x = new Float32Array(n * F);
  const signal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = r.next() * 4 - 2;
    const b = r.int(7);
    const c = r.next() < 0.1 ? NaN : r.next() * 10;
    const d = Math.round(r.next() * 3) / 2;
    const e = r.next();
    x.set([a, b, c, d, e], i * F);
    signal[i] = Math.sin(2 * a) + 0.3 * b - (Number.isNaN(c) ? 1 : 0.2 * c) + d * d + 0.1 * e;
  }
  const noise = createRandom(11);
  const yReg = Float64Array.from(signal, (s) => s + 0.2 * (noise.next() - 0.5));
  const yBin = Float64Array.from(signal, (s) => (s + noise.next() - 0.5 > 1 ? 1 : 0));
  return { x, features: F, yReg, yBin };
}

/**
 * Tree by tree beside XGBoost: trains modelgres's GBDT (src/training/gbdt, one thread) and
 * XGBoost (Debian's python3-xgboost through bench/xgboost-dump.py: tree_method hist, max_bin 256,
 * one thread) on small fixed sets with the same eta, depth, lambda, alpha, gamma,
 * min_child_weight and base_score, and prints, per set, how many trees match and the first
 * differences (splits and leaf values compared as float32).
 *
 *   node --import tsx bench/tree-by-tree.ts [--rounds 3] [--rows 600] [--max-bin 255]
 *
 * modelgres bins as XGBoost does with max_bin 255 (a byte per cell: 255 value bins and missing);
 * --max-bin 256, XGBoost's default, shows the one-bin difference on continuous features.
 *
 * Needs: apt-get install -y python3-xgboost
 */
import { parseArgs } from 'node:util';
import {
  comparisonTable, fromModelgres, modelgresTrees, type TreeCase, treeDifferences, xgboostTrees, xgboostVersion,
} from '../test/training/support/xgboost-trees.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, rows: { type: 'string', default: '600' }, 'max-bin': { type: 'string', default: '255' } } });
const rounds = values.rounds as string;
const rows = Number(values.rows);
const maxBin = Number(values['max-bin']);

const version = xgboostVersion();
if (version === undefined) {
  console.error('/usr/bin/python3 cannot import xgboost: sudo apt-get install -y python3-xgboost');
  process.exit(1);
}

function cases(): Array<{ name: string; c: TreeCase }> {
  const { x, features, yReg, yBin } = comparisonTable(rows);
  const base = { num_round: rounds, max_depth: '4' };
  return [
    { name: 'regression, defaults', c: { x, rows, features, y: yReg, objective: 'reg:squarederror', hyperparameters: base } },
    {
      name: 'regression, eta 0.15 lambda 2.5 alpha 0.7 min_child_weight 20',
      c: { x, rows, features, y: yReg, objective: 'reg:squarederror', hyperparameters: { ...base, eta: '0.15', lambda: '2.5', alpha: '0.7', min_child_weight: '20' } },
    },
    {
      name: 'regression, gamma 3 depth 6',
      c: { x, rows, features, y: yReg, objective: 'reg:squarederror', hyperparameters: { ...base, max_depth: '6', gamma: '3' } },
    },
    { name: 'binary:logistic', c: { x, rows, features, y: yBin, objective: 'binary:logistic', hyperparameters: base } },
    {
      name: 'binary:logistic, min_child_weight 5 max_delta_step 1',
      c: { x, rows, features, y: yBin, objective: 'binary:logistic', hyperparameters: { ...base, min_child_weight: '5', max_delta_step: '1' } },
    },
  ];
}

console.log(`modelgres vs XGBoost ${version} (hist, max_bin ${maxBin}, 1 thread), ${rows} rows x 5 features, ${rounds} rounds`);
console.log(`command: node --import tsx bench/tree-by-tree.ts --rounds ${rounds} --rows ${rows} --max-bin ${maxBin}\n`);
for (const { name, c } of cases()) {
  const ours = await modelgresTrees(c);
  const theirs = xgboostTrees(c, ours.baseMargin[0], maxBin);
  const diffs = ours.trees.map((t, i) => treeDifferences(fromModelgres(t), theirs[i]));
  const differing = diffs.findIndex((d) => d.length > 0);
  const equal = differing < 0 ? ours.trees.length : differing;
  console.log(`${name}: the first ${equal} of ${ours.trees.length} trees equal XGBoost's`);
  if (differing >= 0) for (const line of diffs[differing].slice(0, 6)) console.log(`  tree ${differing + 1} ${line}`);
}

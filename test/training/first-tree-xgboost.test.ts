import { describe, expect, test } from 'vitest';
import {
  comparisonTable, fromModelgres, modelgresTrees, type TreeCase, treeDifferences, xgboostTrees, xgboostVersion,
} from './support/xgboost-trees.ts';

/**
 * The trees equal XGBoost's own (Debian's python3-xgboost, installed by scripts/system-packages.sh)
 * on a fixed 600-row set: split features, float32 thresholds, missing-value directions, float32
 * leaf values and covers, from get_dump(dump_format='json'). XGBoost runs tree_method hist with
 * max_bin 255, the binning modelgres reproduces (quantile-cuts.ts); the set has a continuous
 * feature (quantile cuts), a small integer, 10% missing values, heavy ties and noise.
 */
const version = xgboostVersion();

describe('GBDT trees equal XGBoost hist trees', () => {
  test('python3-xgboost is importable (scripts/system-packages.sh installs it)', () => {
    expect(version, '/usr/bin/python3 cannot import xgboost: sudo apt-get install -y python3-xgboost').toBeDefined();
  });

  const rows = 600;
  const { x, features, yReg, yBin } = comparisonTable(rows);
  const cases: Array<[string, TreeCase]> = [
    ['reg:squarederror, defaults but depth 4', { x, rows, features, y: yReg, objective: 'reg:squarederror', hyperparameters: { num_round: '2', max_depth: '4' } }],
    ['reg:squarederror, eta lambda alpha min_child_weight', {
      x, rows, features, y: yReg, objective: 'reg:squarederror',
      hyperparameters: { num_round: '2', max_depth: '4', eta: '0.15', lambda: '2.5', alpha: '0.7', min_child_weight: '20' },
    }],
    ['reg:squarederror, gamma 3, depth 6', { x, rows, features, y: yReg, objective: 'reg:squarederror', hyperparameters: { num_round: '2', max_depth: '6', gamma: '3' } }],
    ['binary:logistic, min_child_weight 5, max_delta_step 1', {
      x, rows, features, y: yBin, objective: 'binary:logistic', hyperparameters: { num_round: '2', max_depth: '4', min_child_weight: '5', max_delta_step: '1' },
    }],
  ];
  test.each(cases)('%s: the first two trees', async (_name, c) => {
    const ours = await modelgresTrees(c);
    const theirs = xgboostTrees(c, ours.baseMargin[0]);
    expect(theirs).toHaveLength(2);
    for (let t = 0; t < 2; t++) {
      expect(treeDifferences(fromModelgres(ours.trees[t]), theirs[t]), `tree ${t + 1}`).toEqual([]);
    }
    // The comparison is not vacuous: the first tree splits on several features, missing values included.
    const first = JSON.stringify(fromModelgres(ours.trees[0]));
    expect(new Set(first.match(/"feature":\d/g)).size).toBeGreaterThanOrEqual(2);
  });
});

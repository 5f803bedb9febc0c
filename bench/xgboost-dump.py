#!/usr/bin/python3
"""XGBoost side of bench/tree-by-tree.ts and test/training/first-tree-xgboost.test.ts: trains
on the given rows and prints its trees as get_dump(dump_format='json').

    /usr/bin/python3 bench/xgboost-dump.py DIR

DIR holds meta.json ({rows, features, objective, rounds, base_margin, params: {eta, max_depth,
lambda, alpha, gamma, min_child_weight, max_delta_step, max_bin}}), x.f32 (row-major float32, NaN =
missing) and y.f64. Prints one JSON object: {"version", "trees": [parsed dump of each tree]}.
One thread, tree_method hist, no sampling: the run is deterministic.
"""
import json
import os
import sys

try:
    import numpy as np
    import xgboost as xgb
except ImportError as e:
    sys.exit(f"xgboost is not importable ({e}): apt-get install -y python3-xgboost")


def main(d):
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    x = np.fromfile(os.path.join(d, "x.f32"), dtype=np.float32).reshape(meta["rows"], meta["features"])
    y = np.fromfile(os.path.join(d, "y.f64"), dtype=np.float64)
    params = {
        "tree_method": "hist",
        "nthread": 1,
        "seed": 1,
        "verbosity": 0,
        "objective": meta["objective"],
        **meta["params"],
    }
    dtrain = xgb.DMatrix(x, label=y, missing=np.nan, nthread=1)
    # Every row starts from the caller's margin (float32), not from base_score through ProbToMargin.
    dtrain.set_base_margin(np.full(meta["rows"], meta["base_margin"], dtype=np.float32))
    booster = xgb.train(params, dtrain, num_boost_round=meta["rounds"])
    trees = [json.loads(t) for t in booster.get_dump(dump_format="json", with_stats=True)]
    print(json.dumps({"version": xgb.__version__, "trees": trees}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

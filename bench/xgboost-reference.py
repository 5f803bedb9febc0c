#!/usr/bin/python3
"""XGBoost side of bench/training.ts: trains on the exact rows modelgres fits and scores the test rows.

    /usr/bin/python3 bench/xgboost-reference.py DIR

DIR holds what bench/training.ts wrote: meta.json ({task, num_class, features, fit_rows,
test_rows, rounds, max_depth, eta, nthread, base_margin, max_bin}), x_fit.f32 / x_test.f32 (row-major float32, NaN =
missing), y_fit.f64 / y_test.f64 (regression values or class ids 0..k-1). Writes the test
predictions to DIR/pred.f64 (regression: one value per row; classification: test_rows x k
probabilities, row-major) and prints one JSON line: {"seconds": fit seconds (DMatrix + train),
"metric": rmse or accuracy, "metric_name": ..., "version": xgboost version}.
"""
import json
import os
import sys
import time

try:
    import numpy as np
    import xgboost as xgb
except ImportError as e:  # bench/training.ts checks first; this is for running the script by hand
    sys.exit(f"xgboost is not importable ({e}): apt-get install -y python3-xgboost")


def main(d):
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    n_feat = meta["features"]
    x_fit = np.fromfile(os.path.join(d, "x_fit.f32"), dtype=np.float32).reshape(meta["fit_rows"], n_feat)
    y_fit = np.fromfile(os.path.join(d, "y_fit.f64"), dtype=np.float64)
    x_test = np.fromfile(os.path.join(d, "x_test.f32"), dtype=np.float32).reshape(meta["test_rows"], n_feat)
    y_test = np.fromfile(os.path.join(d, "y_test.f64"), dtype=np.float64)

    task = meta["task"]
    params = {
        "tree_method": "hist",
        "nthread": meta["nthread"],
        "max_depth": meta["max_depth"],
        "eta": meta["eta"],
        "seed": 1,
        "max_bin": meta.get("max_bin", 256),
        "verbosity": 0,
    }
    if task == "regression":
        params["objective"] = "reg:squarederror"
    elif task == "binary":
        params["objective"] = "binary:logistic"
    else:
        params["objective"] = "multi:softprob"  # softmax's labels are the argmax of these
        params["num_class"] = meta["num_class"]

    start = time.perf_counter()
    dfit = xgb.DMatrix(x_fit, label=y_fit, missing=np.nan, nthread=meta["nthread"])
    # modelgres's starting margin per output, for every row (base_score is ignored once set).
    start_margin = np.asarray(meta.get("base_margin", []), dtype=np.float32)
    if start_margin.size:
        dfit.set_base_margin(np.tile(start_margin, meta["fit_rows"]))
    booster = xgb.train(params, dfit, num_boost_round=meta["rounds"])
    seconds = time.perf_counter() - start

    dtest = xgb.DMatrix(x_test, missing=np.nan, nthread=meta["nthread"])
    if start_margin.size:
        dtest.set_base_margin(np.tile(start_margin, meta["test_rows"]))
    pred = booster.predict(dtest)
    if task == "regression":
        metric_name, metric = "rmse", float(np.sqrt(np.mean((pred.astype(np.float64) - y_test) ** 2)))
    elif task == "binary":
        pred = np.stack([1 - pred, pred], axis=1)
        metric_name, metric = "accuracy", float(np.mean((pred[:, 1] > 0.5) == (y_test == 1)))
    else:
        metric_name, metric = "accuracy", float(np.mean(np.argmax(pred, axis=1) == y_test))
    pred.astype(np.float64).tofile(os.path.join(d, "pred.f64"))
    print(json.dumps({"seconds": seconds, "metric": metric, "metric_name": metric_name, "version": xgb.__version__}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

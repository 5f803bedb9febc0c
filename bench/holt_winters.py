"""Holt-Winters (statsmodels ExponentialSmoothing, additive trend and season) forecasts for bench/forecast.ts.

In (stdin, JSON): {"horizon": h, "period": m, "series": {"id": [values, ...], ...}}.
Out (stdout, JSON): {"version": statsmodels version, "forecasts": {"id": [h values], ...}}.
A series shorter than two seasons gets a trend-only model (statsmodels needs two full seasons).
"""
import json
import sys
import warnings

import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.filterwarnings("ignore")
request = json.load(sys.stdin)
horizon, period = request["horizon"], request["period"]
out = {}
for name, values in request["series"].items():
    seasonal = "add" if len(values) >= 2 * period else None
    fit = ExponentialSmoothing(values, trend="add", seasonal=seasonal, seasonal_periods=period if seasonal else None).fit()
    out[name] = [float(v) for v in fit.forecast(horizon)]
json.dump({"version": statsmodels.__version__, "forecasts": out}, sys.stdout)

import { Worker } from 'node:worker_threads';
import type { Frequency } from '../forecast/frequency.ts';
import type { FittedForecast, ForecastSpec } from '../forecast/fit-forecast.ts';
import type { ForecastObjective } from '../forecast/objectives.ts';
import { parsePercentiles, type Percentile } from '../forecast/percentiles.ts';
import type { ForecastRows } from '../forecast/series.ts';
import { decodeSnapshot } from '../snapshot/snapshot-codec.ts';
import type { Progress } from '../training/types.ts';
import type { CatalogQuery, VersionToTrain } from './trained-version.ts';
import { TrainingFailure } from './training-runner.ts';
import { threadCode } from '../util/thread-code.ts';

/** A version of a MODEL_TYPE FORECAST model (src/forecast/), trained and registered its own way. */
export function isForecastVersion(v: VersionToTrain): boolean {
  return v.spec.modelType === 'FORECAST';
}

export interface RunningForecast {
  result: Promise<FittedForecast>;
  kill(): Promise<void>;
}

/** Fits the version's forecast in a worker thread of its own, from its snapshot (id text, time, target). */
export function runForecastTraining(v: VersionToTrain, onProgress: (p: Progress) => void): RunningForecast {
  const [ids, times, targets] = decodeSnapshot(v.data, v.columns);
  const rows: ForecastRows = {
    ids: ids.values as Array<string | null>,
    times: times.values.map((t) => (t instanceof Date ? t.getTime() / 1000 : null)),
    targets: targets.values as Array<number | null>,
  };
  const settings = v.spec.forecast!;
  const spec: ForecastSpec = {
    frequency: settings.frequency as Frequency,
    horizon: settings.horizon,
    percentiles: parsePercentiles(settings.percentiles) as Percentile[],
    objective: v.spec.objective as ForecastObjective,
    auto: v.spec.auto ?? true,
    maxRuntimeSeconds: v.spec.maxRuntime ?? 5400,
  };
  const worker = new Worker(threadCode(new URL('./forecast-thread.ts', import.meta.url)), {
    eval: true,
    workerData: { rows, spec },
  });
  const result = new Promise<FittedForecast>((resolve, reject) => {
    worker.on('message', (m: { type: string; progress?: Progress; forecast?: FittedForecast; name?: string; message?: string }) => {
      if (m.type === 'progress') onProgress(m.progress!);
      else if (m.type === 'done') {
        resolve(m.forecast!);
        void worker.terminate();
      } else if (m.type === 'error') {
        reject(new TrainingFailure('ForecastInputError', m.message ?? 'training failed'));
        void worker.terminate();
      }
    });
    worker.on('error', (e) => reject(new TrainingFailure('Error', e.message)));
    worker.on('exit', (code) => reject(new TrainingFailure('Exit', `training thread exited with code ${code}`)));
  });
  return { result, kill: async () => void (await worker.terminate()) };
}

/**
 * Makes a forecast version READY (modelgres.register_forecast_version: its rows, score, summary,
 * functions, activation, job done) in the caller's transaction. False when it left TRAINING.
 */
export async function registerForecastVersion(query: CatalogQuery, v: VersionToTrain, f: FittedForecast): Promise<boolean> {
  const summary = {
    method: f.method,
    candidates: f.candidates,
    series: f.seriesCount,
    heldOutSeries: f.heldOutSeries,
    ...v.spec.forecast,
  };
  const registered = await query(
    `SELECT modelgres.register_forecast_version($1, 'FORECAST', $2, $3, $4::float8, $5::jsonb, $6::jsonb)::text`,
    [v.jobName, v.spec.objective ?? null, f.metric, f.metricValue === null ? null : String(f.metricValue), JSON.stringify(summary), JSON.stringify(f.rows)],
  );
  return registered === 'true';
}

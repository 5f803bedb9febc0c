/**
 * Training speed, printed with its command (not a test: timing depends on the machine).
 *   node --import tsx test/training/speed-bench.ts [rows=1000000] [rounds=100]
 * Trains XGBOOST (max_depth 6, 10 float8 features) through train(): rows × 10 in, 80% trained on
 * after the holdout; then the GBDT core alone on all rows, which is XGBoost's own benchmark setup.
 */
import { train } from '../../src/training/index.ts';
import { trainGbdt } from '../../src/training/gbdt/gbdt-trainer.ts';
import { parseHyperparameters } from '../../src/training/spec/hyperparameters.ts';
import { createRandom } from '../../src/training/util/random.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const rounds = process.argv[3] ?? '100';
const F = 10;
const r = createRandom(7);
const x = new Float32Array(rows * F);
const y = new Float64Array(rows);
for (let i = 0; i < rows; i++) {
  for (let f = 0; f < F; f++) x[i * F + f] = r.next() * 2 - 1;
  y[i] = Math.sin(3 * x[i * F]) + x[i * F + 1] * x[i * F + 2] + 0.5 * x[i * F + 3] + 0.1 * (r.next() - 0.5);
}

let t0 = performance.now();
let cpu0 = process.cpuUsage();
const core = await trainGbdt({ x, rows, features: F, y, classCount: 0 }, 'reg:squarederror', parseHyperparameters({ num_round: rounds }), createRandom(1), {
  deadline: Infinity,
  yield: async () => {},
});
console.log(`GBDT core: ${rows} rows x ${F} features, ${core.model.trees.length} rounds, depth 6: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${cpuSeconds(cpu0)} s CPU`);

const features = Array.from({ length: F }, (_, f) => ({
  name: `f${f}`, type: 'float8' as const, values: Array.from({ length: rows }, (_, i) => x[i * F + f]),
}));
t0 = performance.now();
cpu0 = process.cpuUsage();
const model = await train(features, { name: 'y', type: 'float8', values: Array.from(y) }, { modelType: 'XGBOOST', hyperparameters: { num_round: rounds } });
console.log(`train(): ${rows} rows in (${model.trainingRows} trained on), ${rounds} rounds: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${cpuSeconds(cpu0)} s CPU, validation mse ${model.validation.value.toFixed(4)}`);

/** CPU time of this process since `from`: less sensitive than wall time to other load on the machine. */
function cpuSeconds(from: NodeJS.CpuUsage): string {
  const d = process.cpuUsage(from);
  return ((d.user + d.system) / 1e6).toFixed(2);
}

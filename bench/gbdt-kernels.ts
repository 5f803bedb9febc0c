/**
 * The GBDT core alone (trainGbdt, in this process) on bench:training's synthetic set, for quick
 * before/after comparisons of src/training/gbdt/ without train()'s preparation, holdout scoring
 * or XGBoost's side.
 *
 *   node --import tsx bench/gbdt-kernels.ts [--rows 800000] [--rounds 100] [--depth 6] [--threads auto|one] [--dist]
 *
 * --dist: the trainer compiled to dist/ (run `npm run build` first), as `npm start` runs it:
 * its helper thread then starts without a TypeScript loader.
 *
 * The rows are Friedman #1 (10 float32 features in [0, 1), 5 of them noise) from a seeded PRNG, as
 * in bench/training.ts; 800,000 is what train() fits when bench:training gives it 1,000,000.
 * Prints binning and boosting seconds (wall), this process's CPU seconds for the whole training
 * (both threads), the load average, and a checksum of the model (equal checksums: the same
 * trees, bit for bit).
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { GbdtThreads } from '../src/training/gbdt/gbdt-trainer.ts';
import { parseHyperparameters } from '../src/training/spec/hyperparameters.ts';
import { createRandom } from '../src/training/util/random.ts';
import { PartClock } from '../src/training/util/time-parts.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '800000' },
    rounds: { type: 'string', default: '100' },
    depth: { type: 'string', default: '6' },
    threads: { type: 'string', default: 'auto' },
    dist: { type: 'boolean', default: false },
  },
});
const { trainGbdt } = (await import(values.dist ? '../dist/training/gbdt/gbdt-trainer.js' : '../src/training/gbdt/gbdt-trainer.ts')) as typeof import('../src/training/gbdt/gbdt-trainer.ts');
const rows = Number(values.rows);
const F = 10;
const threads = values.threads as GbdtThreads;

const random = createRandom(20240601);
const x = new Float32Array(rows * F);
const y = new Float64Array(rows);
for (let r = 0; r < rows; r++) {
  for (let c = 0; c < F; c++) x[r * F + c] = random.next();
  const v = (c: number) => x[r * F + c];
  const noise = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  y[r] = 10 * Math.sin(Math.PI * v(0) * v(1)) + 20 * (v(2) - 0.5) ** 2 + 10 * v(3) + 5 * v(4) + noise;
}

const clock = new PartClock();
const load = os.loadavg()[0];
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
const { model, threads: used } = await trainGbdt(
  { x, rows, features: F, y, classCount: 0 },
  'reg:squarederror',
  parseHyperparameters({ num_round: values.rounds, max_depth: values.depth }),
  createRandom(1),
  { deadline: Infinity, yield: async () => {}, clock },
  threads,
);
const cpu = process.cpuUsage(cpu0);
const wall = (performance.now() - wall0) / 1000;
const part = (name: string) => (clock.parts().find((p) => p.part === name)?.seconds ?? 0).toFixed(2);
const checksum = createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 16);
console.log(
  `gbdt-kernels: ${rows} x ${F}, ${model.trees.length} rounds, depth ${values.depth}, threads ${threads}: `
  + `binning ${part('binning')} s, boosting ${part('boosting')} s, wall ${wall.toFixed(2)} s, `
  + `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s; helper jobs ${used.helperJobs}/${used.histogramJobs}; `
  + `model ${checksum}; load ${load.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}`,
);
console.log(`command: node --import tsx bench/gbdt-kernels.ts --rows ${rows} --rounds ${values.rounds} --depth ${values.depth} --threads ${threads}${values.dist ? ' --dist' : ''}`);

/**
 * The trainer's own GBDT predictions (gbdtMargins: held-out scoring, the prediction baseline, the
 * bench's test metrics) on rows in memory, for before/after comparisons of that code alone.
 *
 *   node --import tsx bench/gbdt-scoring.ts [--rows 1000000] [--model /tmp/modelgres-gbdt-scoring.json]
 *
 * The model (100 rounds, depth 6, 10 features, trained on 200,000 seeded rows) is trained on the
 * first run and kept as JSON at --model, so that runs of two versions of the code score the same
 * trees; the rows to score are seeded, 10% of the values NaN. Prints rows/s and a checksum of
 * the margins (equal checksums: the same predictions).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { trainGbdt } from '../src/training/gbdt/gbdt-trainer.ts';
import { gbdtMargins, type GbdtModel } from '../src/training/gbdt/gbdt-model.ts';
import { parseHyperparameters } from '../src/training/spec/hyperparameters.ts';
import { createRandom } from '../src/training/util/random.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, model: { type: 'string', default: '/tmp/modelgres-gbdt-scoring.json' } },
});
const rows = Number(values.rows);
const F = 10;

function matrix(n: number, seed: number, nanShare: number): { x: Float32Array; y: Float64Array } {
  const r = createRandom(seed);
  const x = new Float32Array(n * F);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) x[i * F + f] = r.next() < nanShare ? NaN : r.next() * 2 - 1;
    const v = (f: number) => (Number.isNaN(x[i * F + f]) ? 0 : x[i * F + f]);
    y[i] = Math.sin(3 * v(0)) + v(1) * v(2) + 0.5 * v(3) + 0.1 * (r.next() - 0.5);
  }
  return { x, y };
}

let model: GbdtModel;
if (existsSync(values.model)) {
  model = JSON.parse(readFileSync(values.model, 'utf8')) as GbdtModel;
} else {
  const { x, y } = matrix(200_000, 7, 0.1);
  model = (await trainGbdt({ x, rows: 200_000, features: F, y, classCount: 0 }, 'reg:squarederror', parseHyperparameters({ num_round: '100' }), createRandom(1), {
    deadline: Infinity,
    yield: async () => {},
  })).model;
  writeFileSync(values.model, JSON.stringify(model));
}

const { x } = matrix(rows, 11, 0.1);
const t0 = performance.now();
const margins = gbdtMargins(model, x, rows);
const seconds = (performance.now() - t0) / 1000;
let checksum = 0;
for (let i = 0; i < margins.length; i++) checksum += margins[i] * ((i % 7) + 1);
console.log(`gbdtMargins: ${rows} rows x ${model.trees.length} trees in ${seconds.toFixed(3)} s = ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s; checksum ${checksum}; load ${os.loadavg()[0].toFixed(2)}`);
console.log(`command: node --import tsx bench/gbdt-scoring.ts --rows ${rows}`);

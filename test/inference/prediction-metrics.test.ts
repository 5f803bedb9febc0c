import { expect, test } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { ModelCells, ModelCounter, ModelHistogram } from '../../src/metrics/model-metrics.ts';

/*
 * The inference paths count predictions in cells of their own (src/metrics/model-metrics.ts)
 * rather than prom-client's labelled metrics. The reference is prom-client itself: the same
 * families fed the same observations write the same /metrics lines and give the same samples.
 */

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Model, version, rows, seconds: two versions of one model, a quoted name, values on and between bounds and above the last. */
const BATCHES: Array<[string, number, number, number]> = [
  ['public.m', 1, 1, 0.00002],
  ['public.m', 1, 8192, 0.01],
  ['public.m', 2, 3, 0.0007],
  ['s."odd\\name"', 1, 10, 12],
  ['public.m', 1, 1, 0.0005],
];

function ours() {
  const cells = new ModelCells(BUCKETS);
  const rows = new ModelCounter('t_predictions_total', 'Rows.', cells);
  const batches = new ModelCounter('t_batches_total', 'Batches.', cells);
  const errors = new ModelCounter('t_errors_total', 'Errors.', cells);
  const seconds = new ModelHistogram('t_seconds', 'Seconds.', BUCKETS, cells);
  for (const [model, version, n, s] of BATCHES) {
    const cell = cells.of(model, version);
    seconds.observe(cell, s);
    batches.inc(cell);
    rows.inc(cell, n);
  }
  errors.inc(cells.of('public.m', 2));
  return { rows, batches, errors, seconds };
}

function prom() {
  const registry = new Registry();
  const labelNames = ['model', 'version'];
  const rows = new Counter({ name: 't_predictions_total', help: 'Rows.', labelNames, registers: [registry] });
  const batches = new Counter({ name: 't_batches_total', help: 'Batches.', labelNames, registers: [registry] });
  const errors = new Counter({ name: 't_errors_total', help: 'Errors.', labelNames, registers: [registry] });
  const seconds = new Histogram({ name: 't_seconds', help: 'Seconds.', labelNames, buckets: BUCKETS, registers: [registry] });
  for (const [model, version, n, s] of BATCHES) {
    const labels = { model, version: String(version) };
    seconds.observe(labels, s);
    batches.inc(labels);
    rows.inc(labels, n);
  }
  errors.inc({ model: 'public.m', version: '2' });
  return { registry, rows, batches, errors, seconds };
}

test("the families' text is prom-client's, line for line", async () => {
  const mine = ours();
  const reference = prom();
  const text = [mine.rows, mine.batches, mine.errors, mine.seconds].map((f) => f.text()).join('');
  const lines = (t: string) => t.split('\n').filter(Boolean).sort();
  expect(lines(text)).toEqual(lines(await reference.registry.metrics()));
});

test('get() gives the samples prom-client gives, for the dashboard', async () => {
  const mine = ours();
  const reference = prom();
  const normal = (values: ReadonlyArray<{ labels: object; value: number; metricName?: string }>) =>
    values.map((v) => JSON.stringify([v.metricName ?? '', Object.entries(v.labels).map(([k, x]) => [k, String(x)]).sort(), v.value])).sort();
  for (const name of ['rows', 'batches', 'errors', 'seconds'] as const) {
    expect(normal((await mine[name].get()).values), name).toEqual(normal((await reference[name].get()).values));
  }
});

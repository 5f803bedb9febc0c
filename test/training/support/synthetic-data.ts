import type { TrainingColumn } from '../../../src/training/index.ts';
import { createRandom } from '../../../src/training/util/random.ts';

/**
 * A table with every feature type and about 5% NULLs, and a target that depends on all of them
 * (numbers, a bool, a category, the month and weekday of a date, the hour of a timestamp/time).
 */
export interface SyntheticTable {
  features: TrainingColumn[];
  /** Noise-free regression signal per row. */
  signal: number[];
}

const CATEGORIES = ['red', 'green', 'blue', 'black', ''];
const CATEGORY_EFFECT: Record<string, number> = { red: 2, green: -1, blue: 0.5, black: -2, '': 0 };

export function syntheticTable(rows: number, seed = 42): SyntheticTable {
  const r = createRandom(seed);
  const maybe = <T>(v: T): T | null => (r.next() < 0.05 ? null : v);
  const num: Array<number | null> = [];
  const int: Array<number | null> = [];
  const flag: Array<boolean | null> = [];
  const cat: Array<string | null> = [];
  const day: Array<Date | null> = [];
  const ts: Array<Date | null> = [];
  const tod: Array<string | null> = [];
  const signal: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = r.next() * 4 - 2;
    const b = r.int(100);
    const c = r.next() < 0.5;
    const d = CATEGORIES[r.int(CATEGORIES.length)];
    const dayMs = Date.UTC(1965 + r.int(70), r.int(12), 1 + r.int(28));
    const tsMs = Date.UTC(2020, 0, 1) + Math.floor(r.next() * 3 * 365 * 86400) * 1000 + r.int(1000);
    const secs = r.int(86400);
    const micro = r.int(1000000);
    const hh = String(Math.floor(secs / 3600)).padStart(2, '0');
    const mm = String(Math.floor((secs % 3600) / 60)).padStart(2, '0');
    const ss = String(secs % 60).padStart(2, '0');
    num.push(maybe(a));
    int.push(maybe(b));
    flag.push(maybe(c));
    cat.push(maybe(d));
    day.push(maybe(new Date(dayMs)));
    ts.push(maybe(new Date(tsMs)));
    tod.push(maybe(`${hh}:${mm}:${ss}.${String(micro).padStart(6, '0')}`));
    const month = new Date(dayMs).getUTCMonth() + 1;
    const hour = new Date(tsMs).getUTCHours();
    signal.push(
      Math.sin(a * 1.5) * 3 + b / 25 + (c ? 1.5 : -1.5) + CATEGORY_EFFECT[d] + (month >= 6 && month <= 8 ? 2 : 0) +
        (hour >= 12 ? 1 : 0) + (secs / 3600 > 18 ? -1 : 0),
    );
  }
  return {
    features: [
      { name: 'num', type: 'float8', values: num },
      { name: 'int', type: 'int4', values: int },
      { name: 'flag', type: 'bool', values: flag },
      { name: 'cat', type: 'text', values: cat },
      { name: 'day', type: 'date', values: day },
      { name: 'ts', type: 'timestamptz', values: ts },
      { name: 'stamp', type: 'timestamp', values: ts.map((t, i) => (t === null || i % 3 === 0 ? null : new Date(t.getTime() - 86400_000 * 400))) },
      { name: 'big', type: 'int8', values: int.map((v) => (v === null ? null : v * 1_000_003)) },
      { name: 'tod', type: 'time', values: tod },
    ],
    signal,
  };
}

/**
 * The fuzzers' randomness: one seed per run, from MODELGRES_FUZZ_SEED when given, else from the
 * UTC date (a CI run tries new cases each day; a failure is replayed with the printed seed).
 */
export function fuzzSeed(label: string): number {
  const given = process.env.MODELGRES_FUZZ_SEED;
  let seed: number;
  if (given !== undefined && given !== '') {
    seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`MODELGRES_FUZZ_SEED must be a whole number, not ${given}`);
  } else {
    const d = new Date();
    seed = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  }
  console.log(`${label}: seed ${seed} (replay with MODELGRES_FUZZ_SEED=${seed})`);
  return seed;
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  bytes(n: number): Buffer;
  pick<T>(xs: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

/** mulberry32: small, fast and seeded, so every case can be replayed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
    pick: (xs) => xs[int(xs.length)],
    chance: (p) => next() < p,
  };
}

/** Runs `work` for each item with at most `lanes` at a time, in order within a lane. */
export async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T, lane: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (next < items.length) await work(items[next++], lane);
    }),
  );
}

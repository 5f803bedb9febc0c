import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

const root = path.resolve(import.meta.dirname, '../..');

/** Creates the README's bike-share table (examples/bike-share.sql), as `name` if given. */
export async function loadBikeShare(client: pg.Client, name = 'bike_share'): Promise<void> {
  const sql = readFileSync(path.join(root, 'examples/bike-share.sql'), 'utf8').replaceAll('bike_share', name);
  await client.query(sql);
}

/** SHOW MODEL as a Map of Key → Value (blank keys dropped), and the keys in order. */
export async function showModel(client: pg.Client, model: string): Promise<{ values: Map<string, string>; keys: string[] }> {
  const r = await client.query(`SHOW MODEL ${model}`);
  const keys = r.rows.map((row) => row.Key as string);
  return { values: new Map(r.rows.filter((row) => row.Key).map((row) => [row.Key, row.Value])), keys };
}

/** Polls SHOW MODEL until the model leaves TRAINING; returns its final state. */
export async function waitForModel(client: pg.Client, model: string, timeoutMs = 90_000): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { values } = await showModel(client, model);
    if (values.get('Model State') !== 'TRAINING') return values;
    if (Date.now() > deadline) throw new Error(`model ${model} still TRAINING after ${timeoutMs} ms: ${values.get('Training Progress')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Remote inference throughput: SELECT id, f(x, s) FROM t for a model declared SAGEMAKER 'score',
 * against a loopback CSV endpoint in a child process (so it does not share the proxy's event
 * loop), beside the plain SELECT of the same rows. One run, an embedded PostgreSQL in a
 * temporary directory, the proxy in this process.
 *
 *   node --import tsx bench/remote-inference.ts [--rows 200000] [--batch 100,1000,5000]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedServer } from '../src/embedded/embedded-server.ts';
import { startModelgres } from '../src/modelgres.ts';
import { createLogger } from '../src/util/logger.ts';
import { freePort } from './bench-support.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, batch: { type: 'string', default: '100,1000,5000' } } });
const rows = Number(values.rows);
const batches = values.batch!.split(',').map(Number);

// The endpoint: x * 2 + length(s) a row, answered as soon as the request is read.
const SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const out = body.split('\\n').filter((l) => l !== '').map((l) => { const i = l.indexOf(','); return String(Number(l.slice(0, i)) * 2 + (l.length - i - 1)); });
    res.writeHead(200, { 'content-type': 'text/csv' }).end(out.join('\\n') + '\\n');
  });
});
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-remote-'));
const server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
const endpoint = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
const endpointPort = await new Promise<number>((resolve) => endpoint.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
const modelgres = await startModelgres({
  upstreamUrl: server.url,
  host: '127.0.0.1',
  port: 0,
  workers: 0,
  remoteEndpoints: { urls: new Map([['score', `http://127.0.0.1:${endpointPort}/`]]), timeoutMs: 30_000 },
  log: createLogger('warn'),
});
const client = new pg.Client(`postgres://postgres@127.0.0.1:${modelgres.port}/postgres`);
await client.connect();
try {
  // Plain words only in s, so the child's one-comma split reads every row right.
  await client.query(`CREATE TABLE t AS SELECT i AS id, i * 0.25 AS x, repeat('z', i % 7) AS s FROM generate_series(1, ${rows}) i`);
  const time = async (sql: string) => {
    const t0 = performance.now();
    await client.query(sql);
    return performance.now() - t0;
  };
  await time('SELECT id, x * 2 + length(s) FROM t');
  const plain = await time('SELECT id, x * 2 + length(s) FROM t');
  console.log(`node --import tsx bench/remote-inference.ts --rows ${rows} --batch ${batches.join(',')}`);
  console.log(`plain SELECT of ${rows} rows: ${plain.toFixed(0)} ms`);
  for (const b of batches) {
    await client.query(`CREATE MODEL m_${b} FUNCTION f_${b} (float8, text) RETURNS float8 SAGEMAKER 'score' SETTINGS (MAX_BATCH_ROWS ${b})`);
    await time(`SELECT id, f_${b}(x, s) FROM t LIMIT 1000`);
    const ms = await time(`SELECT id, f_${b}(x, s) FROM t`);
    console.log(`MAX_BATCH_ROWS ${b}: ${ms.toFixed(0)} ms, ${Math.round(rows / (ms / 1000))} rows/s (${(ms / plain).toFixed(1)}x the plain SELECT)`);
  }
} finally {
  await client.end();
  await modelgres.close();
  endpoint.kill();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

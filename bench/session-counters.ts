/**
 * What a client session's counters (src/metrics) cost a forwarded query: the bytes adds, the two
 * clock reads and the passthrough histogram, as ClientSession calls them for one Query and its
 * ReadyForQuery, in a loop.
 *
 *   node --import tsx bench/session-counters.ts
 */
import net from 'node:net';
import { trackClient } from '../src/metrics/track-client.ts';

const stats = trackClient(new net.Socket(), () => ({ user: 'bench', database: 'bench', status: 'I' }));
const n = 1_000_000;
const figures: number[] = [];
for (let round = 1; round <= 5; round++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    stats.bytesReceived += 30;
    stats.query(true);
    stats.bytesSent += 60;
    stats.readyForQuery('I');
  }
  figures.push(Number(process.hrtime.bigint() - t0) / n);
  console.log(`round ${round}: ${figures.at(-1)!.toFixed(0)} ns a query`);
}
stats.close();
figures.sort((a, b) => a - b);
console.log(`median ${figures[2].toFixed(0)} ns a forwarded query for the session's counters`);
console.log('command: node --import tsx bench/session-counters.ts');

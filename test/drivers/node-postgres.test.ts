import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import { startDriverFixture, type DriverFixture } from './driver-fixture.ts';

const PROGRAM = path.join(import.meta.dirname, 'node-postgres-program.mjs');

let fixture: DriverFixture;
beforeAll(async () => {
  fixture = await startDriverFixture();
});
afterAll(() => fixture.proxy.close());

describe('node-postgres (pg) through the proxy', () => {
  test('creates and waits for a model, named statements, a portal read 500 rows at a time, probabilities, SHOW MODEL, pg_catalog, SQLSTATE', async () => {
    const report = await fixture.run(process.execPath, [PROGRAM, fixture.proxy.url], { create: true });
    await fixture.check(report, { driver: 'node-postgres', errorType: 'DatabaseError' });
    // 10,000 rows in Executes of 500: the server suspends the portal after each full page but the last.
    expect(report.portalSuspensions).toBeGreaterThanOrEqual(19);
  });

  test('a Terminate before the StartupMessage closes the connection silently, as PostgreSQL does', async () => {
    // Terminate: 'X', int32 length 4. As a startup packet PostgreSQL reads its length as 0x58000000
    // and drops the connection, logging but not answering; so must the proxy.
    const terminate = Buffer.from([0x58, 0, 0, 0, 4]);
    const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    const upstream = new URL(fixture.proxy.upstreamUrl);
    for (const first of [[terminate], [sslRequest, terminate]]) {
      const direct = await answerTo(Number(upstream.port), upstream.hostname, first);
      const proxied = await answerTo(fixture.proxy.port, '127.0.0.1', first);
      expect(direct.closedBeforeTimeout).toBe(true);
      expect(proxied).toEqual(direct);
    }
  });
});

/**
 * Sends the packets (each after the server's one-byte answer to the one before, as a client
 * negotiating SSL would) and collects every byte until the server closes the connection.
 */
function answerTo(port: number, host: string, packets: Buffer[]): Promise<{ bytes: string; closedBeforeTimeout: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const received: Buffer[] = [];
    let next = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes: Buffer.concat(received).toString('hex'), closedBeforeTimeout: false });
    }, 10_000);
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(packets[next++]));
    socket.on('data', (d: Buffer) => {
      received.push(d);
      if (next < packets.length) socket.write(packets[next++]);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(received).toString('hex'), closedBeforeTimeout: true });
    });
    socket.once('error', reject);
  });
}

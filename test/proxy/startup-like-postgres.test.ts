import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import net from 'node:net';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, int32, startupFrame } from '../support/raw-client.ts';

/**
 * The startup phase answered as PostgreSQL answers it: each case's bytes go to PostgreSQL directly
 * and to the proxy, and what comes back (and that the server closes) must be the same. Only the
 * source location of an error (its F, L and R fields) may differ.
 */

let proxy: TestProxy;
let upstreamPort: number;

beforeAll(async () => {
  proxy = await startTestProxy();
  upstreamPort = Number(new URL(proxy.upstreamUrl).port);
});
afterAll(() => proxy.close());

const PROTOCOL_3 = 196608;
const SSL_REQUEST = startupFrame(80877103);
const GSSENC_REQUEST = startupFrame(80877104);

interface Case {
  label: string;
  /** Written one after another; each after the server has answered the one before (SSL/GSS bytes). */
  steps: Buffer[];
  /** Shut down the client's side after the last step (the server waits for more otherwise). */
  halfClose?: boolean;
}

/** Everything the server sent until it closed the connection. */
function exchange(port: number, k: Case): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let received = 0;
    let step = 0;
    const timer = setTimeout(() => reject(new Error(`${k.label}: the server at ${port} neither answered nor closed`)), 20_000);
    const next = () => {
      if (step >= k.steps.length) return;
      socket.write(k.steps[step++]);
      if (step === k.steps.length && k.halfClose) socket.end();
    };
    socket.on('connect', next);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      // A one-byte answer to SSLRequest/GSSENCRequest lets the next step go.
      if (received >= step) next();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * The answer as comparable units: one-byte answers ('N', 'S'), protocol 3 messages with an
 * error's or notice's source location left out, and anything else (protocol 2's refusal) as text.
 */
function units(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const type = String.fromCharCode(bytes[at]);
    const length = at + 5 <= bytes.length ? bytes.readInt32BE(at + 1) : -1;
    if (length < 4 || at + 1 + length > bytes.length) {
      if ((type === 'N' || type === 'S') && (at + 1 === bytes.length || length < 4 || length > 100_000)) {
        out.push(`byte ${type}`);
        at += 1;
        continue;
      }
      out.push(`raw ${bytes.subarray(at).toString('latin1')}`);
      break;
    }
    const body = bytes.subarray(at + 5, at + 1 + length);
    if (type === 'E' || type === 'N') {
      const fields = body
        .toString('utf8')
        .split('\0')
        .filter((f) => f !== '' && !'FLR'.includes(f[0]));
      out.push(`${type} ${fields.join(' | ')}`);
    } else {
      out.push(`${type} ${body.toString('hex')}`);
    }
    at += 1 + length;
  }
  return out;
}

describe('malformed or early startup input, answered as PostgreSQL answers it', () => {
  const startupBody = () => serialize.startup({ user: 'postgres', database: databaseOf(proxy.url) }).subarray(4);
  const cases = (): Case[] => [
    // node-postgres' quick-disconnect test: Terminate before any StartupMessage.
    { label: 'Terminate first', steps: [serialize.end()] },
    { label: 'Terminate first, then the client closes', steps: [serialize.end()], halfClose: true },
    { label: 'nothing at all', steps: [Buffer.alloc(0)], halfClose: true },
    { label: 'three bytes, then close', steps: [Buffer.from([0, 0, 0])], halfClose: true },
    { label: 'length 0', steps: [Buffer.concat([int32(0), startupBody()])] },
    { label: 'length 7', steps: [Buffer.concat([int32(7), startupBody()])] },
    { label: 'negative length', steps: [Buffer.concat([int32(-16), startupBody()])] },
    { label: 'length 10005', steps: [Buffer.concat([int32(10005), startupBody()])] },
    { label: 'length 0x7fffffff', steps: [Buffer.concat([int32(0x7fffffff), startupBody()])] },
    { label: 'longer than sent, then close', steps: [Buffer.concat([int32(startupBody().length + 104), startupBody()])], halfClose: true },
    { label: 'cut short, then close', steps: [Buffer.concat([int32(startupBody().length + 4), startupBody()]).subarray(0, 20)], halfClose: true },
    { label: 'protocol 2.0 (refused in its own format)', steps: [startupFrame(0x20000, Buffer.from('user\0postgres\0\0'))] },
    { label: 'protocol 4.0', steps: [startupFrame(0x40000, Buffer.from('user\0postgres\0\0'))] },
    { label: 'protocol 4.0, client closes after sending', steps: [startupFrame(0x40000, Buffer.from('user\0postgres\0\0'))], halfClose: true },
    { label: 'no parameters at all', steps: [startupFrame(PROTOCOL_3)] },
    { label: 'no terminator', steps: [startupFrame(PROTOCOL_3, Buffer.from('user\0postgres\0database\0postgres'))] },
    { label: 'a name without a value', steps: [startupFrame(PROTOCOL_3, Buffer.from('user\0postgres\0database\0'))] },
    { label: 'no user', steps: [startupFrame(PROTOCOL_3, Buffer.from('database\0postgres\0\0'))] },
    { label: 'an empty user', steps: [startupFrame(PROTOCOL_3, Buffer.from('user\0\0\0'))] },
    { label: 'a role that does not exist', steps: [startupFrame(PROTOCOL_3, Buffer.from('user\0no_such_role_here\0\0'))] },
    { label: 'a database that does not exist', steps: [startupFrame(PROTOCOL_3, Buffer.from('user\0postgres\0database\0no_such_db_here\0\0'))] },
    { label: 'an unknown parameter', steps: [startupFrame(PROTOCOL_3, Buffer.from('user\0postgres\0no_such_setting\0x\0\0'))] },
    { label: 'cancel request without a secret', steps: [startupFrame(80877102, int32(1))] },
    { label: 'cancel request with a 300-byte secret', steps: [startupFrame(80877102, Buffer.concat([int32(1), Buffer.alloc(300, 7)]))] },
    { label: 'cancel request for no backend', steps: [startupFrame(80877102, Buffer.concat([int32(1), int32(2)]))] },
    { label: 'SSLRequest with a StartupMessage in the same packet', steps: [Buffer.concat([SSL_REQUEST, startupFrame(PROTOCOL_3, Buffer.from('user\0postgres\0\0'))])] },
    { label: 'GSSENCRequest with a StartupMessage in the same packet', steps: [Buffer.concat([GSSENC_REQUEST, startupFrame(PROTOCOL_3, Buffer.from('user\0postgres\0\0'))])] },
    { label: 'SSLRequest twice', steps: [SSL_REQUEST, SSL_REQUEST] },
    { label: 'GSSENCRequest twice', steps: [GSSENC_REQUEST, GSSENC_REQUEST] },
    { label: 'SSL, GSS, then SSL again', steps: [SSL_REQUEST, GSSENC_REQUEST, SSL_REQUEST] },
    { label: 'GSS, SSL, then GSS again', steps: [GSSENC_REQUEST, SSL_REQUEST, GSSENC_REQUEST] },
    { label: 'SSLRequest, then Terminate', steps: [SSL_REQUEST, serialize.end()] },
  ];

  test('every case: the same answer from the proxy as from PostgreSQL, and the connection closed', async () => {
    for (const k of cases()) {
      const fromPostgres = units(await exchange(upstreamPort, k));
      const fromProxy = units(await exchange(proxy.port, k));
      expect(fromProxy, k.label).toEqual(fromPostgres);
    }
    // Not vacuous: PostgreSQL refuses some out loud and closes others without a word.
    expect(units(await exchange(upstreamPort, cases()[0]))).toEqual([]);
    expect(units(await exchange(upstreamPort, cases()[12]))[0]).toMatch(/^E SFATAL \| VFATAL \| C0A000 \| Munsupported frontend protocol 4\.0/);
  });

  test('after all of it the proxy serves clients as before', async () => {
    const c = await proxy.client();
    expect((await c.query('select 6 * 7 as answer')).rows).toEqual([{ answer: 42 }]);
  });
});

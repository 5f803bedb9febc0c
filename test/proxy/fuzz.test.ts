import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import os from 'node:os';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { FrameStream, type FrameSink } from '../../src/protocol/frame-stream.ts';
import { decodeStartupPacket, startupFraming } from '../../src/protocol/startup-packet.ts';
import { startProxyServer } from '../../src/proxy/proxy-server.ts';
import { StatementPlanner } from '../../src/plan/statement-planner.ts';
import { ModelFunctionNames } from '../../src/plan/model-function-names.ts';
import { ModelFunctionRegistry } from '../../src/inference/model-function-registry.ts';
import { OnnxSessionCache } from '../../src/inference/onnx-session-cache.ts';
import { createLogger } from '../../src/util/logger.ts';
import { freePort } from '../../src/util/free-port.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, frame, RawClient, startupFrame, type Received } from '../support/raw-client.ts';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fuzzSeed, inLanes, seededRandom, type Random } from '../fuzz/seeded-random.ts';
import { protocolInputs, type ProtocolInput } from '../fuzz/protocol-inputs.ts';


const SEED = 0x6d6f64656c; // "model"
const APP = `fuzz_${process.pid}`;
const PROTOCOL_3 = 196608;

let proxy: TestProxy;
let bystander: pg.Client;
let direct: pg.Client;

beforeAll(async () => {
  proxy = await startTestProxy();
  // A session opened before any fuzzing: it must never notice what other clients do.
  bystander = await proxy.client({ application_name: `${APP}_bystander` });
  await bystander.query('create temp table bystander_state (n int); insert into bystander_state values (7)');
  direct = await proxy.direct();
});
afterAll(() => proxy.close());

/** The startup message pg would send, as bytes, with this file's application_name. */
function goodStartup(): Buffer {
  return serialize.startup({ user: 'postgres', database: databaseOf(proxy.url), application_name: APP });
}

/** The first column of the first DataRow, as text. */
function firstValue(messages: readonly Received[]): string | undefined {
  const row = messages.find((m) => m.name === 'dataRow');
  return (row?.fields as Array<string | null> | undefined)?.[0] ?? undefined;
}

async function startedRaw(): Promise<RawClient> {
  const c = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url), application_name: APP });
  return c;
}

/** What the server said before it closed the connection, and whether it closed it. */
interface Outcome {
  messages: Received[];
  closed: boolean;
}

async function finish(c: RawClient, halfClose: boolean): Promise<Outcome> {
  if (halfClose) c.end();
  let messages: Received[];
  try {
    messages = await c.readUntilClose();
  } catch (error) {
    // Unparseable answer bytes would be a proxy bug: report them as such.
    c.destroy();
    throw error;
  }
  return { messages, closed: c.isClosed };
}

/** Every error the proxy (or PostgreSQL) may answer garbage with, each a real SQLSTATE. */
const GARBAGE_CODES = new Set([
  '08P01', // protocol_violation
  '0A000', // feature_not_supported: unsupported protocol version
  '28000', // invalid_authorization_specification: no user name
  '3D000', // invalid_catalog_name: a database named by garbage
  '42704', // undefined_object: an unknown startup parameter
  '22021', // character_not_in_repertoire: invalid UTF-8 in the startup packet
  '42601', // syntax_error, 22P02 and friends: random text in a Query that PostgreSQL parsed
  '22P02',
  '42883',
  '34000',
  '26000',
  '08000', // connection_exception
  '57P01',
]);

function expectOnlyErrors(outcome: Outcome, allowed: ReadonlySet<string> = GARBAGE_CODES): void {
  for (const m of outcome.messages) {
    if (m.name === 'error') expect(allowed.has(String(m.code)), `unexpected SQLSTATE ${String(m.code)}: ${String(m.message)}`).toBe(true);
  }
  expect(outcome.closed).toBe(true);
}

let checks = 0;
/** The proxy still takes new connections and the bystander's session is intact. */
async function expectProxyHealthy(openNew: boolean): Promise<void> {
  checks++;
  const r = await bystander.query('select $1::int + n as v from bystander_state', [checks]);
  expect(r.rows).toEqual([{ v: checks + 7 }]);
  if (openNew) {
    const c = await startedRaw();
    const answers = await c.query('select 6 * 7');
    expect(firstValue(answers)).toBe('42');
    c.write(serialize.end());
    await c.closed;
  }
}

describe('fuzzing the proxy’s front door (bounded, seeded)', () => {
  const rnd = seededRandom(SEED);

  test('garbage bytes as the first packet: an error or a plain close, never a hang or a crash', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 80; i++) {
      const c = await RawClient.connect(proxy.port);
      const garbage = rnd.bytes(1 + rnd.int(120));
      // Half the cases start with a believable length, so the packet reaches the decoder.
      if (i % 2 === 0 && garbage.length >= 8) garbage.writeInt32BE(garbage.length, 0);
      c.write(garbage);
      const outcome = await finish(c, true);
      expectOnlyErrors(outcome);
      // A packet with a believable length and a non-3.x code is refused by PostgreSQL with 0A000; an
      // impossible length ends quietly, as PostgreSQL ends it. Either way, at most one error and nothing else.
      expect(outcome.messages.filter((m) => m.name !== 'error')).toEqual([]);
      expect(outcome.messages.length).toBeLessThanOrEqual(1);
      codes.push(...outcome.messages.map((m) => String(m.code)));
      await expectProxyHealthy(i % 10 === 9);
    }
    // The cases are not vacuous: the believable ones reach the decoder and are refused out loud.
    expect(codes.filter((c) => c === '0A000').length).toBeGreaterThanOrEqual(25);
  });

  test('startup packets that lie about their length', async () => {
    const body = goodStartup().subarray(4);
    // An impossible length closes without a word, as PostgreSQL closes it (test/proxy/startup-like-postgres.test.ts
    // compares each answer with PostgreSQL's own).
    const cases: Array<{ label: string; bytes: Buffer; expectCode: string | null; halfClose: boolean }> = [
      { label: 'length 0', bytes: Buffer.concat([Buffer.from([0, 0, 0, 0]), body]), expectCode: null, halfClose: false },
      { label: 'length 4', bytes: Buffer.concat([Buffer.from([0, 0, 0, 4]), body]), expectCode: null, halfClose: false },
      { label: 'length 7', bytes: Buffer.concat([Buffer.from([0, 0, 0, 7]), body]), expectCode: null, halfClose: false },
      { label: 'negative length', bytes: Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xf0]), body]), expectCode: null, halfClose: false },
      { label: 'length > 10004', bytes: Buffer.concat([Buffer.from([0, 0, 0x27, 0x15]), body]), expectCode: null, halfClose: false },
      { label: 'length 0x7fffffff', bytes: Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xff]), body]), expectCode: null, halfClose: false },
      // Longer than what is sent: the proxy waits for the rest; the client gives up.
      { label: 'too long by 100', bytes: Buffer.concat([int32(body.length + 104), body]), expectCode: null, halfClose: true },
      { label: '9999, then close', bytes: Buffer.concat([int32(9999), body]), expectCode: null, halfClose: true },
      // Shorter than the parameters: the list is cut, so its last string has no terminator.
      { label: 'too short by 6', bytes: Buffer.concat([int32(body.length - 2), body]), expectCode: '08P01', halfClose: false },
      { label: 'exactly 8: no parameters at all', bytes: startupFrame(PROTOCOL_3), expectCode: '08P01', halfClose: false },
      // PostgreSQL refuses 2.0 in that protocol's own format, which has no length word (see startup-like-postgres.test.ts).
      { label: 'protocol 2.0', bytes: startupFrame(0x20000, Buffer.from('user\0postgres\0\0')), expectCode: null, halfClose: false },
      { label: 'protocol 4.0', bytes: startupFrame(0x40000, Buffer.from('user\0postgres\0\0')), expectCode: '0A000', halfClose: false },
      { label: 'no user', bytes: startupFrame(PROTOCOL_3, Buffer.from('database\0postgres\0\0')), expectCode: '28000', halfClose: false },
      { label: 'only 3 bytes, then close', bytes: Buffer.from([0, 0, 0]), expectCode: null, halfClose: true },
      { label: 'cancel request too short', bytes: startupFrame(80877102, Buffer.from([0, 0, 0, 1])), expectCode: null, halfClose: false },
    ];
    for (const k of cases) {
      const c = await RawClient.connect(proxy.port);
      c.write(k.bytes);
      const outcome = await finish(c, k.halfClose);
      expect(outcome.closed, k.label).toBe(true);
      if (k.expectCode === null) {
        expect(outcome.messages.filter((m) => m.name !== 'error'), k.label).toEqual([]);
      } else {
        expect(outcome.messages.map((m) => [m.name, m.code, m.severity]), k.label).toEqual([['error', k.expectCode, 'FATAL']]);
      }
      await expectProxyHealthy(false);
    }
    await expectProxyHealthy(true);
  });

  test('impossible message lengths after a good startup: 08P01 FATAL, then the connection is closed', async () => {
    for (const length of [0, 1, 3, -1, -2147483648, 0x7fffffff, 0x40000000]) {
      for (const type of ['Q', 'P', 'B', 'd', 'z']) {
        const c = await startedRaw();
        c.write(frame(type, length, rnd.bytes(rnd.int(16))));
        const outcome = await finish(c, false);
        expect(outcome.closed).toBe(true);
        expect(outcome.messages.map((m) => [m.name, m.code, m.severity])).toEqual([['error', '08P01', 'FATAL']]);
        expect(String(outcome.messages[0].message)).toBe(`invalid message length ${length | 0}`);
      }
      await expectProxyHealthy(false);
    }
    await expectProxyHealthy(true);
  });

  test('truncated messages, then the client closes (half a message is never a whole one)', async () => {
    const messages = [
      serialize.query('select 1 as truncated'),
      serialize.query('show model all'),
      serialize.parse({ name: 'half', text: 'select $1::int' }),
      serialize.bind({ values: ['1', null, 'x'] }),
      serialize.execute({ rows: 5 }),
      serialize.copyData(Buffer.from('1\n2\n')),
      serialize.describe({ type: 'S', name: 'half' }),
    ];
    for (let i = 0; i < 40; i++) {
      const whole = rnd.pick(messages);
      const cut = 1 + rnd.int(whole.length - 1);
      const c = await startedRaw();
      const pid = Number(firstValue(await c.query('select pg_backend_pid()')));
      c.write(whole.subarray(0, cut));
      const outcome = await finish(c, true);
      expectOnlyErrors(outcome);
      // Nothing of the half message was answered: it never ran.
      expect(outcome.messages.filter((m) => m.name !== 'error' && m.name !== 'notice')).toEqual([]);
      expect(pid).toBeGreaterThan(0);
      await expectProxyHealthy(i % 10 === 9);
    }
  });

  test('random bytes after a good startup', async () => {
    let errors = 0;
    for (let i = 0; i < 120; i++) {
      const c = await startedRaw();
      let bytes = rnd.bytes(1 + rnd.int(200));
      if (i % 3 === 0) {
        // A believable frame header with a random type, so the bytes get past the framer.
        const body = rnd.bytes(rnd.int(60));
        bytes = Buffer.concat([frame(String.fromCharCode(rnd.int(256)), 4 + body.length, body), rnd.bytes(rnd.int(40))]);
      }
      c.write(bytes);
      const outcome = await finish(c, true);
      expectOnlyErrors(outcome);
      errors += outcome.messages.filter((m) => m.name === 'error').length;
      await expectProxyHealthy(i % 10 === 9);
    }
    expect(errors).toBeGreaterThanOrEqual(60);
  });

  test('a client vanishing in the middle of COPY FROM STDIN: nothing is committed, the backend goes away', async () => {
    const table = `fuzz_copy_${process.pid}`;
    await direct.query(`create table ${table} (n int, t text)`);
    try {
      for (let i = 0; i < 6; i++) {
        const c = await startedRaw();
        const pid = Number(firstValue(await c.query('select pg_backend_pid()')));
        c.write(serialize.query(`copy ${table} from stdin`));
        expect((await c.next()).name).toBe('copyInResponse');
        let rows = '';
        for (let n = 0; n < 500; n++) rows += `${n}\trow ${n}\n`;
        const data = serialize.copyData(Buffer.from(rows));
        // Whole CopyData messages, then (half the time) a cut one.
        c.write(i % 2 === 0 ? data : Buffer.concat([data, data.subarray(0, 1 + rnd.int(data.length - 1))]));
        c.destroy();
        await c.closed;
        await untilBackendGone(pid);
        expect((await direct.query(`select count(*)::int as n from ${table}`)).rows).toEqual([{ n: 0 }]);
        await expectProxyHealthy(i === 5);
      }
    } finally {
      await direct.query(`drop table ${table}`);
    }
  });

  test('a client that stops reading a large result holds up only itself; it gets every row once it reads again', async () => {
    const c = await startedRaw();
    // About 40 MB of answer: far more than the socket buffers hold, so the proxy must pause the upstream.
    c.socket.pause();
    c.write(serialize.query("select g, repeat(md5(g::text), 8) as pad from generate_series(1, 150000) g"));
    for (let i = 0; i < 5; i++) await expectProxyHealthy(i === 4);
    c.socket.resume();
    const answers = await c.readUntilReady();
    const rows = answers.filter((m) => m.name === 'dataRow');
    expect(rows).toHaveLength(150000);
    expect((rows[149999].fields as string[])[0]).toBe('150000');
    expect(answers[answers.length - 2].text).toBe('SELECT 150000');
    c.destroy();
  });

  test('Terminate, or a client just closing, ends the upstream backend too', async () => {
    for (const how of ['terminate', 'end', 'destroy'] as const) {
      const c = await startedRaw();
      const pid = Number(firstValue(await c.query('select pg_backend_pid()')));
      if (how === 'terminate') c.write(serialize.end());
      if (how === 'end') c.end();
      if (how === 'destroy') c.destroy();
      expect(await c.readUntilClose()).toEqual([]);
      await untilBackendGone(pid);
    }
    await expectProxyHealthy(true);
  });

  test('a message type PostgreSQL does not read, while the proxy holds its own portal: the FATAL 08P01 reaches the client', async () => {
    // Found by the seeded fuzzer: the FATAL went to the proxy's own Execute, and the client saw the connection just close.
    const c = await startedRaw();
    c.write([
      serialize.parse({ text: 'show model all' }),
      serialize.bind({}),
      frame(String.fromCharCode(0xff), 4),
      serialize.execute(),
      serialize.sync(),
    ]);
    const outcome = await finish(c, false);
    expect(outcome.messages.map((m) => [m.name, m.code, m.severity, m.message])).toEqual([
      ['parseComplete', undefined, undefined, undefined],
      ['bindComplete', undefined, undefined, undefined],
      ['error', '08P01', 'FATAL', 'invalid frontend message type 255'],
    ]);
    await expectProxyHealthy(true);
  });

  test('a Flush with a body is refused with FATAL 08P01 before PostgreSQL answers it in a way no message owns', async () => {
    // Found by the seeded fuzzer (seed 20261202): PostgreSQL's ERROR for such a Flush was taken for
    // the next Query's, the proxy then waited for an answer that never came, and the next SHOW MODEL hung.
    const c = await startedRaw();
    c.write([
      serialize.parse({ text: 'show model all' }),
      frame('H', 14, Buffer.alloc(10)),
      serialize.query('select 1'),
      serialize.sync(),
    ]);
    const outcome = await finish(c, false);
    expect(outcome.messages.map((m) => [m.name, m.code, m.severity, m.message])).toEqual([
      ['parseComplete', undefined, undefined, undefined],
      ['error', '08P01', 'FATAL', 'invalid message format'],
    ]);
    await expectProxyHealthy(true);
  });

  test('a Query the proxy answers itself, after a failed Execute and before the Sync, is discarded as PostgreSQL discards it', async () => {
    // Found by the seeded fuzzer (seed 20261202): the proxy ran SHOW MODEL on a backend that was
    // skipping to the Sync, and the session waited for ever.
    const bytes = (query: string) => [
      serialize.execute({ portal: 'no_such_portal' }),
      serialize.query(query),
      serialize.sync(),
      serialize.query('select 42 as after'),
    ];
    const summary = (ms: readonly Received[]) => ms.map((m) => (m.name === 'error' ? `error ${String(m.code)}` : m.name === 'dataRow' ? `row ${String((m.fields as unknown[])[0])}` : m.name));
    // PostgreSQL's own answer to the same bytes is the reference.
    const upstream = new URL(proxy.upstreamUrl);
    const pgDirect = await RawClient.ready(Number(upstream.port), { database: databaseOf(proxy.url) });
    pgDirect.write(bytes('show model all'));
    const reference = [...(await pgDirect.readUntilReady()), ...(await pgDirect.readUntilReady())];
    pgDirect.destroy();
    expect(summary(reference)).toEqual(['error 34000', 'readyForQuery', 'rowDescription', 'row 42', 'commandComplete', 'readyForQuery']);
    for (const query of ['show model all', 'drop model if exists nothing_here']) {
      const c = await startedRaw();
      c.write(bytes(query));
      const answers = [...(await c.readUntilReady()), ...(await c.readUntilReady())];
      expect(summary(answers), query).toEqual(summary(reference));
      c.destroy();
    }
    await expectProxyHealthy(true);
  });

  test('after all of it: no upstream connection of a fuzzed client is left behind', async () => {
    const r = await untilNoFuzzBackends();
    expect(r).toBe(0);
    await expectProxyHealthy(true);
  });
});


describe('10,000 generated inputs (seeded from the date, or MODELGRES_FUZZ_SEED)', () => {
  /** Inputs per run, and between two checks of the bystander and the proxy's memory. */
  const INPUTS = 10_000;
  const BATCH = 1_000;
  const LANES = 6;

  test('random bytes, mutated real sessions, wrong lengths, truncated, out of order, huge lengths: errors with a SQLSTATE, never a crash, a hang or a leak', async () => {
    const seed = fuzzSeed('protocol fuzzer');
    const rnd = seededRandom(seed);
    const database = databaseOf(proxy.url);
    const inputs = protocolInputs(rnd, INPUTS, database, APP);
    const started = Date.now();
    const before = settledMemory();
    const tally = { 'first-packet': 0, cut: 0, 'in-session': 0, sentinelsAnswered: 0, fatalCloses: 0, errors: 0 };
    const sessions: Array<RawClient | null> = Array.from({ length: LANES }, () => null);
    let sentinel = 0;

    const runOne = async (input: ProtocolInput, lane: number): Promise<void> => {
      const label = `seed ${seed}, ${input.kind}: ${input.label} (${input.bytes.toString('hex').slice(0, 400)})`;
      tally[input.kind]++;
      if (input.kind === 'first-packet' || input.kind === 'cut') {
        const c = input.kind === 'cut' ? await startedRaw() : await RawClient.connect(proxy.port);
        c.write(input.bytes);
        const outcome = await finish(c, true);
        expect(outcome.closed, label).toBe(true);
        tally.errors += expectCleanErrors(outcome.messages, label);
        return;
      }
      const c = sessions[lane] ?? (sessions[lane] = await startedRaw());
      let id = ++sentinel;
      c.write([input.bytes, serialize.sync(), serialize.query(`select ${id} as fuzz_sentinel`)]);
      let answered = false;
      let resent = 0;
      const seen: Received[] = [];
      for (;;) {
        const m = await c.nextOrClose();
        if (!m) break;
        seen.push(m);
        if (m.name === 'dataRow' && (m.fields as unknown[])[0] === String(id)) answered = true;
        if (m.name === 'copyInResponse') c.write(serialize.copyFail('fuzz'));
        if (m.name === 'readyForQuery' && answered) break;
        // The input left a transaction open (or COPY swallowed the sentinel): end it, ask again.
        if (m.name === 'readyForQuery' && m.status !== 'I' && resent < 3) {
          resent++;
          id = ++sentinel;
          c.write([serialize.query('rollback'), serialize.query(`select ${id} as fuzz_sentinel`)]);
        }
      }
      tally.errors += expectCleanErrors(seen, label);
      if (answered) {
        tally.sentinelsAnswered++;
        return;
      }
      // Closed: only after a FATAL, or because the input said Terminate.
      sessions[lane] = null;
      const fatal = seen.some((m) => m.name === 'error' && m.severity === 'FATAL');
      expect(fatal || hasTerminate(input.bytes), `${label}: closed without a FATAL`).toBe(true);
      tally.fatalCloses++;
    };

    // A failure names the seed, the input and what the same session was sent before it (a hang
    // may need the whole session to replay: replay its inputs in order on one connection).
    const history: string[][] = Array.from({ length: LANES }, () => []);
    const runLabelled = (input: ProtocolInput, lane: number) => {
      const described = `${input.kind}: ${input.label} (${input.bytes.toString('hex').slice(0, 400)})`;
      const before = history[lane].slice();
      if (input.kind === 'in-session') history[lane].push(described);
      return runOne(input, lane).then(
        () => {
          if (!sessions[lane]) history[lane] = [];
        },
        (error: unknown) => {
          throw new Error(`seed ${seed}, ${described}: ${String(error)}; earlier in this session (${before.length} inputs): ${before.join(' | ') || 'nothing'}`);
        },
      );
    };
    for (let from = 0; from < inputs.length; from += BATCH) {
      await inLanes(inputs.slice(from, from + BATCH), LANES, runLabelled);
      await expectProxyHealthy(true);
      if (process.env.MODELGRES_FUZZ_PROGRESS) console.log(`${from + BATCH} inputs, ${Date.now() - started} ms, ${JSON.stringify(tally)}`);
    }
    for (const c of sessions) {
      c?.destroy();
      await c?.closed;
    }
    const after = settledMemory();
    console.log(
      `protocol fuzzer: ${inputs.length} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(tally)}; ` +
        `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB, external ${mb(before.external)} → ${mb(after.external)} MB, rss ${mb(before.rss)} → ${mb(after.rss)} MB`,
    );
    expect(tally['first-packet'] + tally.cut + tally['in-session']).toBe(INPUTS);
    // Bounded memory: what 10,000 hostile inputs leave behind in the proxy's heap and buffers, once
    // their connections are gone, is noise (RSS, which the allocator rarely gives back, loosely).
    expect(after.heapUsed - before.heapUsed).toBeLessThan(32 * 1024 * 1024);
    expect(after.external - before.external).toBeLessThan(64 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(256 * 1024 * 1024);
    expect(await untilNoFuzzBackends()).toBe(0);
    // Not vacuous: most mutated sessions were answered and many inputs were refused out loud.
    expect(tally.sentinelsAnswered).toBeGreaterThan(tally['in-session'] / 2);
    expect(tally.errors).toBeGreaterThan(INPUTS / 4);
    // A hang fails sooner: every read of a RawClient gives up after 20 s.
  }, 240_000);
});

/** Errors must carry a real SQLSTATE and no sign of an internal failure; returns how many there were. */
function expectCleanErrors(messages: readonly Received[], label: string): number {
  let n = 0;
  for (const m of messages) {
    if (m.name !== 'error') continue;
    // pg-protocol's parser does not know NegotiateProtocolVersion ('v', for a _pq_ option): not an error.
    if (m.code === undefined && String(m.message) === 'received invalid response: 76') continue;
    n++;
    const code = String(m.code);
    expect(code, `${label}: ${String(m.message)}`).toMatch(/^[0-9A-Z]{5}$/);
    // PostgreSQL's own answer to a Parse naming a type OID that does not exist is XX000; the proxy's never is.
    if (code === 'XX000' && /^cache lookup failed for type \d+$/.test(String(m.message))) continue;
    expect(['XX', '58'], `${label}: internal error ${code} ${String(m.message)}`).not.toContain(code.slice(0, 2));
    expect(String(m.message), label).not.toMatch(/TypeError|RangeError|Cannot read|is not a function|undefined/);
  }
  return n;
}

function hasTerminate(bytes: Buffer): boolean {
  for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) if (bytes[at] === 0x58) return true;
  return false;
}

/** The proxy runs in this process: its heap after a full collection, external buffers and RSS. */
function settledMemory(): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}

const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

/** Waits (bounded) until PostgreSQL has ended a backend: the proxy must not keep it alive. */
async function untilBackendGone(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await direct.query('select count(*)::int as n from pg_stat_activity where pid = $1', [pid]);
    if (r.rows[0].n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`backend ${pid} is still there after its client went away`);
}

async function untilNoFuzzBackends(): Promise<number> {
  let n = -1;
  for (let i = 0; i < 500; i++) {
    const r = await direct.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [APP]);
    n = r.rows[0].n as number;
    if (n === 0) return 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return n;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

// ---- unit level: the framer and the startup decoder ----

interface Msg {
  type: number;
  body: Buffer;
}

function encode(messages: readonly Msg[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const h = Buffer.alloc(5);
      h[0] = m.type;
      h.writeInt32BE(m.body.length + 4, 1);
      return Buffer.concat([h, m.body]);
    }),
  );
}

function randomMessages(rnd: Random, count: number): Msg[] {
  const types = [0x51, 0x50, 0x42, 0x44, 0x45, 0x53, 0x64, 0x63, 0x43, 0x5a];
  return Array.from({ length: count }, () => {
    const r = rnd.next();
    const size = r < 0.2 ? 0 : r < 0.9 ? rnd.int(40) : rnd.int(3000);
    return { type: rnd.pick(types), body: rnd.bytes(size) };
  });
}

/** Feeds chunks to a FrameStream whose sink takes Q and P whole (and sometimes pauses on them). */
function reassemble(chunks: readonly Buffer[], pauseEvery: number): { out: Buffer; types: number[]; whole: Msg[]; errors: number } {
  const outParts: Buffer[] = [];
  const types: number[] = [];
  const whole: Msg[] = [];
  let errors = 0;
  let delivered = 0;
  const sink: FrameSink = {
    wantsWhole: (type) => type === 0x51 || type === 0x50,
    onMessage: (type, body, raw) => {
      expect(raw.length).toBe(body.length + 5);
      expect(raw[0]).toBe(type);
      expect(raw.readInt32BE(1)).toBe(body.length + 4);
      expect(raw.subarray(5).equals(body)).toBe(true);
      // The sink may keep these: copy, as the framer reuses nothing it handed over.
      outParts.push(Buffer.from(raw));
      types.push(type);
      whole.push({ type, body: Buffer.from(body) });
      delivered++;
      return pauseEvery > 0 && delivered % pauseEvery === 0 ? 'pause' : 'continue';
    },
    onRaw: (bytes) => outParts.push(Buffer.from(bytes)),
    onRawMessageEnd: (type) => types.push(type),
    onProtocolError: () => {
      errors++;
    },
  };
  const fs = new FrameStream(sink);
  for (const chunk of chunks) {
    fs.push(chunk);
    while (fs.paused) fs.resume();
  }
  return { out: Buffer.concat(outParts), types, whole, errors };
}

function splitRandomly(rnd: Random, bytes: Buffer, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + rnd.int(maxChunk);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

function expectSame(messages: readonly Msg[], result: ReturnType<typeof reassemble>, label: string): void {
  const stream = encode(messages);
  expect(result.errors, label).toBe(0);
  expect(result.out.equals(stream), `${label}: bytes out differ from bytes in`).toBe(true);
  expect(result.types, label).toEqual(messages.map((m) => m.type));
  const expectedWhole = messages.filter((m) => m.type === 0x51 || m.type === 0x50);
  expect(result.whole.length, label).toBe(expectedWhole.length);
  result.whole.forEach((m, i) => {
    expect(m.type, label).toBe(expectedWhole[i].type);
    expect(m.body.equals(expectedWhole[i].body), `${label}: body of whole message ${i}`).toBe(true);
  });
}

describe('FrameStream re-assembles any split of a valid stream', () => {
  test('split in two at every byte position (and in three around each), with and without pauses', () => {
    const rnd = seededRandom(SEED + 1);
    const messages = randomMessages(rnd, 12).map((m) => ({ ...m, body: m.body.subarray(0, 30) }));
    const stream = encode(messages);
    for (let at = 0; at <= stream.length; at++) {
      for (const pauseEvery of [0, 1, 2]) {
        expectSame(messages, reassemble([stream.subarray(0, at), stream.subarray(at)], pauseEvery), `split at ${at}`);
        const second = Math.min(stream.length, at + 1 + rnd.int(7));
        expectSame(
          messages,
          reassemble([stream.subarray(0, at), stream.subarray(at, second), stream.subarray(second)], pauseEvery),
          `split at ${at} and ${second}`,
        );
      }
    }
  });

  test('one byte at a time', () => {
    const rnd = seededRandom(SEED + 2);
    const messages = randomMessages(rnd, 30);
    const stream = encode(messages);
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expectSame(messages, reassemble(chunks, 0), 'byte by byte');
    expectSame(messages, reassemble(chunks, 1), 'byte by byte, pausing');
  });

  test('random chunk sizes over many random streams', () => {
    const rnd = seededRandom(SEED + 3);
    for (let round = 0; round < 300; round++) {
      const messages = randomMessages(rnd, 1 + rnd.int(40));
      const stream = encode(messages);
      const maxChunk = rnd.pick([1, 3, 5, 6, 17, 64, 700, 5000, 100000]);
      expectSame(messages, reassemble(splitRandomly(rnd, stream, maxChunk), round % 3), `round ${round}, chunks ≤ ${maxChunk}`);
    }
  });

  test('a header announcing a large whole message reserves memory for the bytes that came, not the length announced', () => {
    // 40 clients each announcing a 16 MB Query and sending 100 bytes reserved 640 MB in the proxy.
    const streams: FrameStream[] = [];
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 40; i++) {
      const fs = new FrameStream({ wantsWhole: () => true, onMessage: () => 'continue', onRaw: () => {}, onProtocolError: () => {} });
      fs.push(frame('Q', 16 * 1024 * 1024, Buffer.alloc(100, 0x41)));
      streams.push(fs);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    // And a message that does arrive, in many chunks, is whole and exact.
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const got: Buffer[] = [];
    const fs = new FrameStream({ wantsWhole: () => true, onMessage: (_t, b) => (got.push(Buffer.from(b)), 'continue'), onRaw: () => {}, onProtocolError: () => {} });
    const whole = frame('Q', 4 + body.length, body);
    for (let at = 0; at < whole.length; at += 7_000) fs.push(whole.subarray(at, at + 7_000));
    expect(got).toHaveLength(1);
    expect(got[0].equals(body)).toBe(true);
    expect(streams).toHaveLength(40);
  });

  test('an impossible length stops the stream with one protocol error; everything before it is intact', () => {
    const rnd = seededRandom(SEED + 4);
    for (let round = 0; round < 200; round++) {
      const good = randomMessages(rnd, rnd.int(8));
      const badLength = rnd.pick([0, 1, 2, 3, -1, -5, 0x40000000, 0x7fffffff]);
      const bad = Buffer.concat([frame(rnd.pick(['Q', 'B', 'P', 'd']), badLength), rnd.bytes(rnd.int(30))]);
      const trailing = encode(randomMessages(rnd, 3));
      const stream = Buffer.concat([encode(good), bad, trailing]);
      const result = reassemble(splitRandomly(rnd, stream, rnd.pick([1, 4, 9, 100, 10000])), 0);
      expect(result.errors, `round ${round}`).toBe(1);
      expect(result.types, `round ${round}`).toEqual(good.map((m) => m.type));
      expect(result.out.equals(encode(good)), `round ${round}`).toBe(true);
    }
  });
});

describe('startup packet decoding never fails', () => {
  test('random packets, random lengths', () => {
    const rnd = seededRandom(SEED + 5);
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const rest = rnd.bytes(rnd.int(80));
      const codes = [PROTOCOL_3, 196610, 80877102, 80877103, 80877104, rnd.int(0x7fffffff)];
      let packet = startupFrame(rnd.pick(codes), rest);
      if (i % 4 === 0) packet = Buffer.concat([rnd.bytes(4), packet.subarray(4)]);
      if (i % 7 === 0) {
        // Well-formed parameters, sometimes cut short.
        const params = Buffer.from(`user\0u${i}\0database\0d\0options\0-c x=${i}\0\0`);
        packet = startupFrame(PROTOCOL_3, params.subarray(0, params.length - rnd.int(4)));
      }
      const framing = startupFraming(packet);
      if (framing.kind !== 'whole') continue;
      const p = decodeStartupPacket(packet.subarray(0, framing.length));
      expect(['Startup', 'SslRequest', 'GssEncRequest', 'CancelRequest']).toContain(p.kind);
      decoded++;
    }
    expect(decoded).toBeGreaterThan(100);
  });
});

describe('an unreachable PostgreSQL', () => {
  test('the client gets a FATAL with a clear message, and the proxy keeps listening', async () => {
    const deadPort = await freePort();
    const server = await startProxyServer({
      host: '127.0.0.1',
      port: 0,
      upstream: { host: '127.0.0.1', port: deadPort },
      // Never asked: no session gets past startup.
      planner: new StatementPlanner(
        { registry: new ModelFunctionRegistry(`postgres://127.0.0.1:${deadPort}/postgres`, new ModelFunctionNames(), createLogger('error')), sessions: new OnnxSessionCache() },
        new ModelFunctionNames(),
      ),
      onCatalogChange: async () => {},
      settings: { modelDir: os.tmpdir(), maxModelBytes: 1 },
      log: createLogger('error'),
    });
    try {
      for (let i = 0; i < 3; i++) {
        const c = await RawClient.connect(server.port);
        c.write(goodStartup());
        const outcome = await finish(c, false);
        expect(outcome.closed).toBe(true);
        expect(outcome.messages.map((m) => [m.name, m.code, m.severity])).toEqual([['error', '08001', 'FATAL']]);
        expect(String(outcome.messages[0].message)).toMatch(/^modelgres cannot reach PostgreSQL: .*ECONNREFUSED/);
      }
      const p = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
      p.on('error', () => {});
      await expect(p.connect()).rejects.toMatchObject({ code: '08001' });
      await p.end().catch(() => {});
    } finally {
      await server.close();
    }
  });
});

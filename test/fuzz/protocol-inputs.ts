import { serialize } from 'pg-protocol';
import type { Random } from './seeded-random.ts';

/**
 * Generated client input for the protocol fuzzer. Each case is one of three shapes, by how the
 * fuzzer sends it and knows it is over:
 * - `first-packet`: the first bytes of a fresh connection (no startup yet); the client then
 *   half-closes and reads until the server closes.
 * - `cut`: bytes after a good startup that leave the last frame unfinished or lie about its length
 *   (truncated messages, huge declared lengths); the client then half-closes.
 * - `in-session`: whole frames (their outer lengths are honest, their contents not) from a mutated
 *   real session or out of order; the fuzzer follows them with Sync and a sentinel query, which must
 *   be answered unless the server closed the connection with a FATAL.
 */
export type ProtocolInput =
  | { kind: 'first-packet'; label: string; bytes: Buffer }
  | { kind: 'cut'; label: string; bytes: Buffer }
  | { kind: 'in-session'; label: string; bytes: Buffer };

interface Frame {
  type: number;
  body: Buffer;
}

const PROTOCOL_3 = 196608;
/** Startup codes a mutation must not land on: their one-byte answers are not protocol messages. */
const ONE_BYTE_ANSWER_CODES = new Set([80877103, 80877104]);

function frames(bytes: Buffer): Frame[] {
  const out: Frame[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes.readInt32BE(at + 1);
    out.push({ type: bytes[at], body: Buffer.from(bytes.subarray(at + 5, at + 1 + length)) });
    at += 1 + length;
  }
  return out;
}

function encode(fs: readonly Frame[]): Buffer {
  return Buffer.concat(
    fs.map((f) => {
      const header = Buffer.alloc(5);
      header[0] = f.type;
      header.writeInt32BE(4 + f.body.length, 1);
      return Buffer.concat([header, f.body]);
    }),
  );
}

/**
 * Sessions a real client sends: simple and extended queries, the proxy's own statements (SHOW
 * MODEL, DROP MODEL IF EXISTS) in both protocols, named statements and portals, row limits,
 * binary parameters, Flush, COPY TO STDOUT.
 */
export function realSessions(): Frame[][] {
  const s = serialize;
  const sessions: Buffer[][] = [
    [s.query("select 1 as a, 'x'::text as b, null::int as c")],
    [s.query('select 1; select 2 as two')],
    [s.query('show model all')],
    [s.query('show model no_such_model')],
    [s.query('drop model if exists no_such_model')],
    [s.query("copy (select g, md5(g::text) from generate_series(1, 3) g) to stdout")],
    [s.parse({ text: 'select $1::int + 1 as n', types: [23] }), s.bind({ values: ['41'] }), s.describe({ type: 'P' }), s.execute(), s.sync()],
    [
      s.parse({ name: 'fz_s', text: 'select $1::text as t, $2::int8 as n from generate_series(1, 3)', types: [25, 20] }),
      s.describe({ type: 'S', name: 'fz_s' }),
      s.bind({ portal: 'fz_p', statement: 'fz_s', values: ['x', '5'] }),
      s.execute({ portal: 'fz_p', rows: 1 }),
      s.execute({ portal: 'fz_p', rows: 0 }),
      s.close({ type: 'P', name: 'fz_p' }),
      s.close({ type: 'S', name: 'fz_s' }),
      s.sync(),
    ],
    [s.parse({ text: 'show model all' }), s.bind({}), s.describe({ type: 'P' }), s.execute(), s.sync()],
    [s.parse({ name: 'fz_m', text: 'show model all' }), s.describe({ type: 'S', name: 'fz_m' }), s.bind({ statement: 'fz_m', binary: true }), s.execute({ rows: 1 }), s.flush(), s.execute(), s.sync()],
    [
      s.parse({ text: 'select $1::int4 as i, $2::float8 as f', types: [23, 701] }),
      s.bind({ values: [Buffer.from([0, 0, 0, 7]), Buffer.from([0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18])], valueMapper: undefined }),
      s.execute(),
      s.sync(),
    ],
    [s.parse({ text: 'select pg_backend_pid() > 0 as up' }), s.flush(), s.bind({}), s.execute(), s.sync()],
  ];
  return sessions.map((messages) => frames(Buffer.concat(messages)));
}

/** Frontend message types, and a few a server never expects after startup. */
const TYPES = [0x42, 0x43, 0x64, 0x63, 0x66, 0x44, 0x45, 0x48, 0x46, 0x50, 0x70, 0x51, 0x53, 0x58, 0x00, 0x01, 0xff];
const EXTREME_INT32 = [-1, 0, 1, 0x7fffffff, -0x80000000, 0x40000000, 65535, 10_000_000];
const EXTREME_INT16 = [-1, 0, 1, 0x7fff, -0x8000, 1000, 2];

function mutateFrames(rnd: Random, session: readonly Frame[]): { label: string; frames: Frame[] } {
  const fs: Frame[] = session.map((f) => ({ type: f.type, body: Buffer.from(f.body) }));
  const i = rnd.int(fs.length);
  const f = fs[i];
  switch (rnd.int(10)) {
    case 0: {
      for (let k = 1 + rnd.int(4); k > 0 && f.body.length > 0; k--) f.body[rnd.int(f.body.length)] = rnd.int(256);
      return { label: 'flipped bytes', frames: fs };
    }
    case 1:
      f.type = rnd.pick(TYPES);
      return { label: `retyped as 0x${f.type.toString(16)}`, frames: fs };
    case 2:
      fs.splice(i, 1);
      return { label: 'a message dropped (out of order)', frames: fs };
    case 3: {
      const j = rnd.int(fs.length);
      [fs[i], fs[j]] = [fs[j], fs[i]];
      return { label: 'two messages swapped (out of order)', frames: fs };
    }
    case 4:
      fs.splice(i, 0, { type: f.type, body: Buffer.from(f.body) });
      return { label: 'a message repeated', frames: fs };
    case 5: {
      if (f.body.length >= 4) {
        const at = rnd.int(f.body.length - 3);
        f.body.writeInt32BE(rnd.pick(EXTREME_INT32), at);
      }
      return { label: 'an inner int32 (a count or length) made extreme', frames: fs };
    }
    case 6: {
      if (f.body.length >= 2) {
        const at = rnd.int(f.body.length - 1);
        f.body.writeInt16BE(rnd.pick(EXTREME_INT16), at);
      }
      return { label: 'an inner int16 (a count or format) made extreme', frames: fs };
    }
    case 7:
      f.body = f.body.subarray(0, rnd.int(f.body.length + 1));
      return { label: 'a body cut short inside an honest frame', frames: fs };
    case 8:
      f.body = Buffer.concat([f.body, rnd.bytes(1 + rnd.int(40))]);
      return { label: 'garbage after a body', frames: fs };
    default: {
      // A message that does not belong here, somewhere in the session.
      const stray = rnd.pick<Frame>([
        { type: 0x64, body: rnd.bytes(rnd.int(30)) }, // CopyData outside COPY
        { type: 0x63, body: Buffer.alloc(0) }, // CopyDone outside COPY
        { type: 0x66, body: Buffer.from('no copy\0') }, // CopyFail outside COPY
        { type: 0x70, body: Buffer.from('password\0') }, // a password after authentication
        { type: 0x45, body: Buffer.from('no_such_portal\0\0\0\0\0') }, // Execute of an unknown portal
        { type: 0x42, body: Buffer.from('\0no_such_statement\0\0\0\0\0\0\0') }, // Bind of an unknown statement
        { type: 0x44, body: Buffer.from('Xname\0') }, // Describe of neither S nor P
        { type: 0x43, body: Buffer.from('Sno_such\0') }, // Close of an unknown statement
        { type: 0x46, body: rnd.bytes(rnd.int(20)) }, // FunctionCall with garbage
        { type: 0x53, body: Buffer.alloc(0) }, // an extra Sync
        { type: 0x48, body: Buffer.alloc(0) }, // an extra Flush
      ]);
      fs.splice(rnd.int(fs.length + 1), 0, stray);
      return { label: `a stray 0x${stray.type.toString(16)} message`, frames: fs };
    }
  }
}

function startupPacket(database: string, application: string): Buffer {
  return serialize.startup({ user: 'postgres', database, application_name: application, client_encoding: 'UTF8' });
}

function firstPacket(rnd: Random, database: string, application: string): { label: string; bytes: Buffer } {
  const good = startupPacket(database, application);
  switch (rnd.int(6)) {
    case 0: {
      const bytes = rnd.bytes(1 + rnd.int(200));
      if (rnd.chance(0.5) && bytes.length >= 8) bytes.writeInt32BE(bytes.length, 0);
      if (bytes.length >= 8 && ONE_BYTE_ANSWER_CODES.has(bytes.readInt32BE(4))) bytes.writeInt32BE(PROTOCOL_3 + 7, 4);
      return { label: 'random bytes', bytes };
    }
    case 1: {
      const bytes = Buffer.from(good);
      for (let k = 1 + rnd.int(4); k > 0; k--) bytes[8 + rnd.int(bytes.length - 8)] = rnd.int(256);
      return { label: 'startup with flipped parameter bytes', bytes };
    }
    case 2: {
      const bytes = Buffer.from(good);
      bytes.writeInt32BE(rnd.pick([0, 4, 7, 8, bytes.length - 1 - rnd.int(8), bytes.length + 1 + rnd.int(50), 10_004, 10_005, 0x7fffffff, -1]), 0);
      return { label: `startup claiming ${bytes.readInt32BE(0)} bytes`, bytes };
    }
    case 3: {
      const bytes = Buffer.from(good);
      let code = rnd.pick([0, 1, 0x20000, 0x30001, 0x30002, 0x30003, 0x40000, 80877102, 80877105, rnd.int(0x7fffffff)]);
      if (ONE_BYTE_ANSWER_CODES.has(code)) code = PROTOCOL_3;
      bytes.writeInt32BE(code, 4);
      return { label: `startup with code ${code}`, bytes };
    }
    case 4: {
      const params = rnd.pick([
        `user\0postgres\0database\0${database}\0user\0other\0\0`,
        `user\0postgres\0database\0${database}\0options\0-c\0\0`,
        `user\0postgres\0database\0${database}\0_pq_.bogus\0x\0\0`,
        `user\0postgres\0database\0${database}\0application_name\0${'é'.repeat(rnd.int(3000))}\0\0`,
        `user\0\0\0`,
        `database\0${database}\0\0`,
        `user\0postgres`,
        `\0`,
        `user\0postgres\0database\0\u{1F600}\0\0`,
        `user\0postgres\0database\0${database}\0client_encoding\0NOPE\0\0`,
        `user\0postgres\0database\0${database}\0replication\0true\0\0`,
      ]);
      const rest = Buffer.from(params);
      const header = Buffer.alloc(8);
      header.writeInt32BE(8 + rest.length, 0);
      header.writeInt32BE(rnd.pick([PROTOCOL_3, 196610]), 4);
      return { label: 'startup with odd parameters', bytes: Buffer.concat([header, rest]) };
    }
    default: {
      // A CancelRequest for a backend that is not there, of every length.
      const rest = rnd.bytes(rnd.pick([0, 3, 8, 12, 40, 300]));
      const header = Buffer.alloc(8);
      header.writeInt32BE(8 + rest.length, 0);
      header.writeInt32BE(80877102, 4);
      return { label: `cancel request of ${8 + rest.length} bytes`, bytes: Buffer.concat([header, rest]) };
    }
  }
}

/** Bytes after a good startup that end inside a frame, or announce one too large to wait for. */
function cutInput(rnd: Random, sessions: readonly Frame[][]): { label: string; bytes: Buffer } {
  const whole = encode(rnd.pick(sessions));
  switch (rnd.int(3)) {
    case 0:
      return { label: 'a real session cut short', bytes: whole.subarray(0, 1 + rnd.int(whole.length - 1)) };
    case 1: {
      const f = frames(whole)[0];
      const header = Buffer.alloc(5);
      header[0] = f.type;
      header.writeInt32BE(4 + f.body.length + 1 + rnd.int(5000), 1);
      return { label: 'a frame longer than what follows', bytes: Buffer.concat([header, f.body]) };
    }
    default: {
      const type = rnd.pick([0x51, 0x50, 0x42, 0x64, 0x44, 0x53]);
      const length = rnd.pick([16 * 1024 * 1024 - 1, 16 * 1024 * 1024, 16 * 1024 * 1024 + 1, 100_000_000, 0x3ffffffe, 0x3fffffff, 0x40000000, 0x7fffffff, -7]);
      const header = Buffer.alloc(5);
      header[0] = type;
      header.writeInt32BE(length | 0, 1);
      return { label: `0x${type.toString(16)} declaring ${length | 0} bytes`, bytes: Buffer.concat([header, rnd.bytes(rnd.int(8000))]) };
    }
  }
}

/**
 * `count` cases, in proportions that keep the run short: most reuse a session (in-session), first
 * packets need no upstream connection, cut cases cost one PostgreSQL backend each.
 */
export function protocolInputs(rnd: Random, count: number, database: string, application: string): ProtocolInput[] {
  const sessions = realSessions();
  const out: ProtocolInput[] = [];
  for (let i = 0; i < count; i++) {
    const r = rnd.next();
    if (r < 0.12) {
      out.push({ kind: 'first-packet', ...firstPacket(rnd, database, application) });
    } else if (r < 0.2) {
      out.push({ kind: 'cut', ...cutInput(rnd, sessions) });
    } else {
      const session = rnd.pick(sessions);
      const mutated = rnd.chance(0.1) ? { label: 'a real session as sent', frames: session } : mutateFrames(rnd, session);
      // Sometimes two mutations on top of each other.
      const twice = rnd.chance(0.3) ? mutateFrames(rnd, mutated.frames.length ? mutated.frames : session) : mutated;
      out.push({ kind: 'in-session', label: twice.label, bytes: encode(twice.frames) });
    }
  }
  return out;
}

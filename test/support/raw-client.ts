import net from 'node:net';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';

/**
 * A backend message as pg-protocol's Parser decodes it. The concrete classes (DataRowMessage,
 * DatabaseError, ...) carry their fields as properties; tests read them by name.
 */
export type Received = BackendMessage & { readonly [field: string]: unknown; readonly body: Buffer };

/** How long a test waits for an answer before failing with a clear message (not an assertion on time). */
const WAIT_MS = 20_000;

/**
 * A deliberately small protocol client for what pg cannot do: several message groups in one
 * write, messages pg never sends, garbage, and connections cut off in the middle of a message.
 * Bytes the server sends are kept until read: `readByte` for the one-byte SSL/GSS answers, then
 * `next` and friends parse the rest as protocol 3 messages.
 */
export class RawClient {
  private inbox: Buffer = Buffer.alloc(0);
  private parsing = false;
  private readonly parser = new Parser();
  /** Message bodies as they came, in order: pg-protocol decodes DataRow values as UTF-8 text. */
  private readonly bodies = new BodySplitter();
  private readonly messages: Received[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  /** Resolves when the server has closed the connection (or it failed). */
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.parsing) this.parse(chunk);
      else this.inbox = Buffer.concat([this.inbox, chunk]);
      this.poke();
    });
    // A reset after the server closed is an expected end in the fuzz tests, not a failure.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.poke();
        resolve();
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  /** Connects and completes a trust-authenticated startup; the connection is then ready for queries. */
  static async ready(port: number, parameters: Record<string, string> = {}): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.write(serialize.startup({ user: 'postgres', database: 'postgres', ...parameters }));
    const startup = await c.readUntilReady();
    const error = startup.find((m) => m.name === 'error');
    if (error) throw new Error(`startup failed: ${String(error.message)}`);
    return c;
  }

  get isClosed(): boolean {
    return this.ended;
  }

  write(bytes: Buffer | Buffer[]): void {
    if (!Buffer.isBuffer(bytes) && !Array.isArray(bytes)) throw new TypeError('RawClient.write takes bytes');
    this.socket.write(Array.isArray(bytes) ? Buffer.concat(bytes) : bytes);
  }

  /** One raw byte, before any message has been parsed (the answer to SSLRequest/GSSENCRequest). */
  async readByte(): Promise<string> {
    if (this.parsing) throw new Error('readByte after messages were parsed');
    while (this.inbox.length === 0) {
      if (this.ended) throw new Error('connection closed before the server answered');
      await this.waitForData('a one-byte answer');
    }
    const byte = String.fromCharCode(this.inbox[0]);
    this.inbox = this.inbox.subarray(1);
    return byte;
  }

  /** The next backend message; rejects when the connection closes first. */
  async next(): Promise<Received> {
    const m = await this.nextOrClose();
    if (!m) throw new Error('connection closed while a message was expected');
    return m;
  }

  /** The next backend message, or null once the connection has closed with nothing left to read. */
  async nextOrClose(): Promise<Received | null> {
    this.startParsing();
    while (this.messages.length === 0) {
      if (this.ended) return null;
      await this.waitForData('a backend message');
    }
    return this.messages.shift() ?? null;
  }

  /** Messages up to and including the next ReadyForQuery. */
  async readUntilReady(): Promise<Received[]> {
    return this.readUntil((m) => m.name === 'readyForQuery');
  }

  async readUntil(last: (m: Received) => boolean): Promise<Received[]> {
    const out: Received[] = [];
    for (;;) {
      const m = await this.next();
      out.push(m);
      if (last(m)) return out;
    }
  }

  /** Every message until the server closes the connection. */
  async readUntilClose(): Promise<Received[]> {
    const out: Received[] = [];
    for (;;) {
      const m = await this.nextOrClose();
      if (!m) return out;
      out.push(m);
    }
  }

  /** Runs one simple query and returns its messages up to ReadyForQuery. */
  async query(sql: string): Promise<Received[]> {
    this.write(serialize.query(sql));
    return this.readUntilReady();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private startParsing(): void {
    if (this.parsing) return;
    this.parsing = true;
    const pending = this.inbox;
    this.inbox = Buffer.alloc(0);
    if (pending.length) this.parse(pending);
  }

  private parse(chunk: Buffer): void {
    this.bodies.push(chunk);
    this.parser.parse(chunk, (m) => {
      (m as { body?: Buffer }).body = this.bodies.take();
      this.messages.push(m as Received);
    });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private waitForData(what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        reject(new Error(`no answer from the server while waiting for ${what}`));
      }, WAIT_MS);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Splits a stream into message bodies, independently of pg-protocol, to keep their exact bytes. */
class BodySplitter {
  private buffer = Buffer.alloc(0);
  private readonly out: Buffer[] = [];

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 5) {
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) break;
      this.out.push(Buffer.from(this.buffer.subarray(5, 1 + length)));
      this.buffer = this.buffer.subarray(1 + length);
    }
  }

  take(): Buffer {
    return this.out.shift() ?? Buffer.alloc(0);
  }
}

/** DataRow body → column values as exact bytes (null for SQL NULL). */
export function rowValues(body: Buffer): Array<Buffer | null> {
  const count = body.readInt16BE(0);
  const values: Array<Buffer | null> = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length < 0) {
      values.push(null);
    } else {
      values.push(body.subarray(offset, offset + length));
      offset += length;
    }
  }
  return values;
}

/** The database a connection string names (each test proxy fronts a database of its own). */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
}

/** Message names only, for comparing a sequence of answers in one assertion. */
export function names(messages: readonly Received[]): string[] {
  return messages.map((m) => m.name);
}

/** A typed message with a length that lies, for malformed-input tests: type byte, int32 length, body. */
export function frame(type: string, length: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(length | 0, 1);
  return Buffer.concat([header, body]);
}

/** An untyped startup-phase packet: int32 length (counting itself), int32 code, rest. */
export function startupFrame(code: number, rest: Buffer = Buffer.alloc(0), length = 8 + rest.length): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(length | 0, 0);
  b.writeInt32BE(code | 0, 4);
  return Buffer.concat([b, rest]);
}

/** CancelRequest (code 80877102) with the process id and secret key from BackendKeyData. */
export function cancelRequest(processId: number, secret: Buffer | number): Buffer {
  const key = typeof secret === 'number' ? int32(secret) : secret;
  return startupFrame(80877102, Buffer.concat([int32(processId), key]));
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

/** Sends one packet to a fresh connection and waits until the server closes it. */
export async function sendAndClose(port: number, bytes: Buffer): Promise<void> {
  const c = await RawClient.connect(port);
  c.write(bytes);
  c.end();
  await c.closed;
}

import { MAX_STARTUP_PACKET_LENGTH, StartupCode } from './message-codes.ts';

/**
 * The first packets of a connection carry no type byte: an int32 length, then an int32 code.
 * Decoding never fails: what PostgreSQL refuses out loud (a protocol version it does not speak, a
 * packet without its terminator, no user) is PostgreSQL's to answer, so a `Startup` packet keeps
 * its bytes and is sent upstream as it came.
 */
export type StartupPacket =
  | { kind: 'SslRequest' }
  | { kind: 'GssEncRequest' }
  /** processId and secret are null when the packet is too short to hold them. */
  | { kind: 'CancelRequest'; processId: number | null; secret: Buffer; raw: Buffer }
  | { kind: 'Startup'; protocol: number; parameters: Record<string, string>; raw: Buffer };

/**
 * Where the first packet in a buffer ends. `invalid`: its length word is impossible, and
 * PostgreSQL closes such a connection without a word (ProcessStartupPacket logs a COMMERROR
 * "invalid length of startup packet" and sends nothing) — a Terminate sent before the
 * StartupMessage is one.
 */
export type StartupFraming = { kind: 'incomplete' } | { kind: 'invalid' } | { kind: 'whole'; length: number };

export function startupFraming(buffer: Buffer): StartupFraming {
  if (buffer.length < 4) return { kind: 'incomplete' };
  const length = buffer.readInt32BE(0);
  // PostgreSQL bounds the packet without its length word: at least the code, at most 10,000 bytes.
  if (length - 4 < 4 || length - 4 > MAX_STARTUP_PACKET_LENGTH) return { kind: 'invalid' };
  return buffer.length < length ? { kind: 'incomplete' } : { kind: 'whole', length };
}

export function decodeStartupPacket(raw: Buffer): StartupPacket {
  const code = raw.readInt32BE(4);
  switch (code) {
    case StartupCode.sslRequest:
      return { kind: 'SslRequest' };
    case StartupCode.gssEncRequest:
      return { kind: 'GssEncRequest' };
    case StartupCode.cancelRequest:
      // Protocol 3.2 allows secret keys up to 256 bytes; 3.0 uses 4. PostgreSQL judges the length.
      return {
        kind: 'CancelRequest',
        processId: raw.length >= 12 ? raw.readInt32BE(8) : null,
        secret: raw.subarray(Math.min(12, raw.length)),
        raw,
      };
  }
  return { kind: 'Startup', protocol: code, parameters: startupParameters(raw), raw };
}

/**
 * The name/value pairs after the code, read as PostgreSQL reads them: up to an empty name, or a
 * name with no value before the packet's end (PostgreSQL then refuses the layout itself).
 */
function startupParameters(raw: Buffer): Record<string, string> {
  // No prototype: a parameter named __proto__ is just a name.
  const parameters = Object.create(null) as Record<string, string>;
  let offset = 8;
  while (offset < raw.length) {
    const nameEnd = terminator(raw, offset);
    if (nameEnd === offset) break;
    const valueStart = nameEnd + 1;
    if (valueStart >= raw.length) break;
    const valueEnd = terminator(raw, valueStart);
    parameters[raw.toString('utf8', offset, nameEnd)] = raw.toString('utf8', valueStart, valueEnd);
    offset = valueEnd + 1;
  }
  return parameters;
}

/** The next zero byte, or the packet's end (PostgreSQL reads the packet with a zero appended). */
function terminator(raw: Buffer, from: number): number {
  const zero = raw.indexOf(0, from);
  return zero < 0 ? raw.length : zero;
}

import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { BufferReader } from './buffer-reader.ts';
import { MAX_STARTUP_PACKET_LENGTH, StartupCode } from './message-codes.ts';

/** The first packets of a connection carry no type byte: an int32 length, then an int32 code. */
export type StartupPacket =
  | { kind: 'SslRequest' }
  | { kind: 'GssEncRequest' }
  | { kind: 'CancelRequest'; processId: number; secret: Buffer }
  | { kind: 'Startup'; protocol: number; parameters: Record<string, string>; raw: Buffer };

/** Length of the complete packet at the start of `buffer`, or null when 4 bytes have not come yet. */
export function startupPacketLength(buffer: Buffer): number | null {
  if (buffer.length < 4) return null;
  const length = buffer.readInt32BE(0);
  if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) {
    throw new ClientError(SqlState.protocolViolation, 'invalid length of startup packet', { severity: 'FATAL' });
  }
  return length;
}

export function decodeStartupPacket(raw: Buffer): StartupPacket {
  const r = new BufferReader(raw, 4);
  const code = r.int32();
  switch (code) {
    case StartupCode.sslRequest:
      return { kind: 'SslRequest' };
    case StartupCode.gssEncRequest:
      return { kind: 'GssEncRequest' };
    case StartupCode.cancelRequest: {
      const processId = r.int32();
      // Protocol 3.2 allows secret keys up to 256 bytes; 3.0 uses 4.
      const secret = Buffer.from(r.bytes(r.remaining));
      return { kind: 'CancelRequest', processId, secret };
    }
  }
  if (code >>> 16 !== 3) {
    throw new ClientError(
      SqlState.featureNotSupported,
      `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0 to 3.2`,
      { severity: 'FATAL' },
    );
  }
  const parameters: Record<string, string> = {};
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    parameters[name] = r.cstring();
  }
  if (!parameters.user) {
    throw new ClientError(SqlState.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', {
      severity: 'FATAL',
    });
  }
  return { kind: 'Startup', protocol: code, parameters, raw };
}

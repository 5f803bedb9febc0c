import type net from 'node:net';
import tls from 'node:tls';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { decodeStartupPacket, startupPacketLength, type StartupPacket } from '../protocol/startup-packet.ts';
import type { CancelRegistry } from './cancel-registry.ts';

/** What the client session lends the startup phase. */
export interface StartupHost {
  readonly tls: tls.SecureContext | null;
  readonly cancels: CancelRegistry;
  /** The client's socket as it is now: plain, or TLS once upgraded. */
  socket(): net.Socket;
  /** The client asked for TLS and got 'S': from now on the session reads and writes `secure`. */
  upgraded(secure: tls.TLSSocket): void;
  /** A CancelRequest was served: the connection ends without a session. */
  cancelled(): void;
  /** The StartupMessage: authentication begins upstream. `rest`: bytes the client sent after it. */
  started(packet: Buffer, parameters: Record<string, string>, rest: Buffer): void;
}

/**
 * The startup phase of a client connection, before any regular message: SSLRequest (answered 'S'
 * with a TLS upgrade when the proxy has a certificate, else 'N'), GSSENCRequest ('N'),
 * CancelRequest (served and closed), and finally the StartupMessage. Packets may arrive split or
 * several in one chunk.
 */
export class StartupNegotiation {
  private bytes: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(private readonly host: StartupHost) {}

  push(chunk: Buffer): void {
    this.bytes = this.bytes.length ? Buffer.concat([this.bytes, chunk]) : chunk;
    while (!this.done) {
      const length = startupPacketLength(this.bytes);
      if (length === null || this.bytes.length < length) return;
      const raw = this.bytes.subarray(0, length);
      this.bytes = this.bytes.subarray(length);
      this.onPacket(decodeStartupPacket(raw));
    }
  }

  private onPacket(packet: StartupPacket): void {
    switch (packet.kind) {
      case 'SslRequest':
        return this.negotiateSsl();
      case 'GssEncRequest':
        this.host.socket().write('N');
        return;
      case 'CancelRequest':
        this.done = true;
        this.host.cancels.cancel(packet.processId, packet.secret);
        this.host.cancelled();
        return;
      case 'Startup':
        this.done = true;
        this.host.started(packet.raw, packet.parameters, this.bytes);
        return;
    }
  }

  private negotiateSsl(): void {
    if (this.bytes.length > 0) {
      // Bytes sent before the TLS handshake could be injected by a man in the middle (CVE-2021-23222).
      throw new ClientError(SqlState.protocolViolation, 'received unencrypted data after SSL request', {
        severity: 'FATAL',
      });
    }
    const socket = this.host.socket();
    if (!this.host.tls || socket instanceof tls.TLSSocket) {
      socket.write('N');
      return;
    }
    socket.write('S');
    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    socket.removeAllListeners('drain');
    this.host.upgraded(new tls.TLSSocket(socket, { isServer: true, secureContext: this.host.tls }));
  }
}

import type net from 'node:net';
import tls from 'node:tls';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { decodeStartupPacket, startupFraming, type StartupPacket } from '../protocol/startup-packet.ts';
import type { CancelRegistry } from './cancel-registry.ts';

/** What the client session lends the startup phase. */
export interface StartupHost {
  readonly tls: tls.SecureContext | null;
  /** --tls-required: a StartupMessage that did not come through TLS is refused. */
  readonly tlsRequired: boolean;
  readonly cancels: CancelRegistry;
  /** The client's socket as it is now: plain, or TLS once upgraded. */
  socket(): net.Socket;
  /** The client asked for TLS and got 'S': from now on the session reads and writes `secure`. */
  upgraded(secure: tls.TLSSocket): void;
  /** A CancelRequest for a key no session of this proxy holds: PostgreSQL gets it as it came. */
  forwardCancel(packet: Buffer): void;
  /** The connection ends without a session and without a word (a CancelRequest, an impossible length). */
  ended(): void;
  /** The StartupMessage: authentication begins upstream. `rest`: bytes the client sent after it. */
  started(packet: Buffer, protocol: number, parameters: Record<string, string>, rest: Buffer): void;
}

/** PostgreSQL's DETAIL for bytes that came before an encryption handshake (CVE-2021-23222). */
const INJECTION_DETAIL = 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.';

/**
 * The startup phase of a client connection, before any regular message, answered as PostgreSQL's
 * ProcessStartupPacket answers it: SSLRequest ('S' with a TLS upgrade when the proxy has a
 * certificate, else 'N'), GSSENCRequest ('N'), CancelRequest (served, no answer), and finally the
 * StartupMessage, which PostgreSQL itself accepts or refuses. An impossible length closes the
 * connection without a word, as PostgreSQL does. Packets may arrive split or several in one chunk.
 */
export class StartupNegotiation {
  private bytes: Buffer = Buffer.alloc(0);
  private done = false;
  /** PostgreSQL's ssl_done and gss_done: a request already negotiated is not answered again. */
  private sslDone = false;
  private gssDone = false;

  constructor(private readonly host: StartupHost) {}

  push(chunk: Buffer): void {
    this.bytes = this.bytes.length ? Buffer.concat([this.bytes, chunk]) : chunk;
    while (!this.done) {
      const framing = startupFraming(this.bytes);
      if (framing.kind === 'incomplete') return;
      if (framing.kind === 'invalid') {
        this.done = true;
        this.host.ended();
        return;
      }
      const raw = this.bytes.subarray(0, framing.length);
      this.bytes = this.bytes.subarray(framing.length);
      this.onPacket(decodeStartupPacket(raw));
    }
  }

  private onPacket(packet: StartupPacket): void {
    switch (packet.kind) {
      case 'SslRequest':
        if (this.sslDone) break;
        return this.negotiateSsl();
      case 'GssEncRequest':
        if (this.gssDone) break;
        return this.negotiateGss();
      case 'CancelRequest':
        this.done = true;
        if (packet.processId === null || !this.host.cancels.cancel(packet.processId, packet.secret)) {
          // Another proxy's session, or one opened to PostgreSQL directly: PostgreSQL knows it, or ignores it.
          this.host.forwardCancel(packet.raw);
        }
        this.host.ended();
        return;
      case 'Startup':
        this.done = true;
        if (this.host.tlsRequired && !(this.host.socket() instanceof tls.TLSSocket)) throw this.plainRefusal(packet.parameters);
        this.host.started(packet.raw, packet.protocol, packet.parameters, this.bytes);
        return;
    }
    // A second request of a kind already negotiated falls through to PostgreSQL's version check,
    // its code read as protocol 1234.5679 (SSL) or 1234.5680 (GSS).
    const minor = packet.kind === 'SslRequest' ? 5679 : 5680;
    throw new ClientError(SqlState.featureNotSupported, `unsupported frontend protocol 1234.${minor}: server supports 3.0 to 3.2`, {
      severity: 'FATAL',
    });
  }

  private negotiateSsl(): void {
    const socket = this.host.socket();
    if (!this.host.tls || socket instanceof tls.TLSSocket) {
      socket.write('N');
      this.refuseEarlyBytes('received unencrypted data after SSL request');
      // PostgreSQL: ProcessStartupPacket(port, true, SSLok == 'S').
      this.sslDone = true;
      return;
    }
    // Checked before 'S': the rest of the connection is the TLS handshake's.
    this.refuseEarlyBytes('received unencrypted data after SSL request');
    this.sslDone = true;
    this.gssDone = true;
    socket.write('S');
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    socket.removeAllListeners('close');
    socket.removeAllListeners('drain');
    this.host.upgraded(new tls.TLSSocket(socket, { isServer: true, secureContext: this.host.tls }));
  }

  private negotiateGss(): void {
    this.host.socket().write('N');
    this.refuseEarlyBytes('received unencrypted data after GSSAPI encryption request');
    this.gssDone = true;
  }

  /**
   * PostgreSQL's refusal when only `hostssl` lines would admit the client (28000, its wording);
   * a CancelRequest still comes in plain text, as libpq sends it and PostgreSQL accepts it.
   */
  private plainRefusal(parameters: Record<string, string>): ClientError {
    const user = parameters.user ?? '';
    const database = parameters.database || user;
    const address = this.host.socket().remoteAddress ?? 'unknown';
    return new ClientError(
      SqlState.invalidAuthorizationSpecification,
      `no pg_hba.conf entry for host "${address.replace(/^::ffff:/, '')}", user "${user}", database "${database}", no encryption`,
      { severity: 'FATAL', hint: 'modelgres runs with --tls-required: connect with SSL (sslmode=require or stronger).' },
    );
  }

  /** Bytes sent before the answer could have been injected by a man in the middle (CVE-2021-23222). */
  private refuseEarlyBytes(message: string): void {
    if (this.bytes.length === 0) return;
    throw new ClientError(SqlState.protocolViolation, message, { severity: 'FATAL', detail: INJECTION_DETAIL });
  }
}

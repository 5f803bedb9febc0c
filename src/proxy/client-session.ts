import type net from 'node:net';
import type tls from 'node:tls';
import { serialize } from 'pg-protocol';
import { ClientError, isClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { errorResponse } from '../protocol/backend-messages.ts';
import { decodeErrorFields, decodeTransactionStatus } from '../protocol/decode-backend.ts';
import { BufferReader } from '../protocol/buffer-reader.ts';
import { FrameStream, type FrameSink } from '../protocol/frame-stream.ts';
import { Backend, Frontend, type TransactionStatus } from '../protocol/message-codes.ts';
import type { SqlPreparedStore, StatementPlanner } from '../plan/statement-planner.ts';
import { RelayedError } from '../session/relayed-error.ts';
import type { ProxySettings, StatementContext } from '../session/statement-context.ts';
import { UpstreamLink, type OwnedConsumer } from '../session/upstream-link.ts';
import type { CancelRegistry } from './cancel-registry.ts';
import type { ClientSlots } from './client-limit.ts';
import { runInterceptedQuery } from './intercepted-query.ts';
import { ProxiedStatements, type ExclusiveKind } from './proxied-statements.ts';
import { forwardCancelRequest, sendCancelRequest, type UpstreamAddress } from './upstream-address.ts';
import { connectUpstreamReading, UpstreamReadBuffer } from './upstream-reads.ts';
import { ResponseTracker } from './response-tracker.ts';
import { StartupNegotiation } from './startup-negotiation.ts';
import { countUpstreamConnectionError, trackClient } from '../metrics/track-client.ts';
import type { Logger } from '../util/logger.ts';

/** Statements that may drop prepared statements, the link's own among them (UpstreamLink.forgetKept). */
const DROPS_STATEMENTS = /deallocate|discard/i;

/** Query and Parse messages up to this size are routed; larger ones stream through untouched. */
const ROUTED_MESSAGE_LIMIT = 16 * 1024 * 1024;

/** Gathered answers leave once they reach this size: a large result flows, it is not held. */
const GATHERED_BYTES_LIMIT = 64 * 1024;
/** Gathered answers of work that takes longer leave after this long, so its notices and rows still flow. */
const GATHERED_DELAY_MS = 10;

export interface SessionOptions {
  upstream: UpstreamAddress;
  tls: tls.SecureContext | null;
  tlsRequired: boolean;
  cancels: CancelRegistry;
  /** --max-client-connections: a slot is held from the StartupMessage until the session closes. */
  slots: ClientSlots;
  planner: StatementPlanner;
  onCatalogChange: () => Promise<void>;
  settings: ProxySettings;
  log: Logger;
}

type Phase = 'startup' | 'authenticating' | 'ready' | 'closed';

/**
 * One client connection and its own upstream PostgreSQL connection. The session is a state
 * machine: startup (SSL/GSS negotiation, cancel requests), authentication relayed as bytes so
 * PostgreSQL's own methods apply, then the ready phase where messages pass through untouched
 * unless the router takes a statement out for the proxy to answer.
 */
export class ClientSession {
  private phase: Phase = 'startup';
  private client: net.Socket;
  private upstream: net.Socket | null = null;
  private readonly upstreamReads = new UpstreamReadBuffer();
  /** A whole upstream message went to a handler during the current read: it may keep the bytes. */
  private upstreamMessageTaken = false;
  /** Bytes for the upstream collected while a client read is processed (see flushUpstreamBatch). */
  private upstreamBatch: Buffer[] | null = null;
  /** Messages for the client gathered while the session answers it (see writeClientNow). */
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private gatheredTimer: NodeJS.Timeout | null = null;
  /** A client read is being processed. */
  private inClientRead = false;
  /** The proxy's own work for a client message is waiting its turn or running (see exclusive). */
  private answering = false;
  private readonly startup: StartupNegotiation;
  private clientFrames: FrameStream;
  private upstreamFrames: FrameStream;
  private readonly tracker = new ResponseTracker();
  private owned: { consumer: OwnedConsumer; onClose: (e: Error) => void } | null = null;
  /** The link holds the upstream's answers while it works through the rows it has (see UpstreamLink.stream). */
  private upstreamHeld = false;
  private idleWaiters: Array<() => void> = [];
  /** The backend's BackendKeyData body (process id, secret), which the client got as it is. */
  private upstreamKey: Buffer | null = null;
  /** The type of the last upstream message the client got as PostgreSQL sent it (0: the proxy's own exchange took it). */
  private lastRelayedType = 0;
  /** The client said Terminate: PostgreSQL closing the connection next is the session's normal end. */
  private clientTerminated = false;
  /** PostgreSQL's FATAL ErrorResponse that a statement of the proxy's own received (see onUpstreamClose). */
  private upstreamFatal: Buffer | null = null;
  private holdsSlot = false;
  private status: TransactionStatus = 'I';
  private user = '';
  private database = '';
  private work: AbortController | null = null;
  private readonly link: UpstreamLink;
  /** SQL-level PREPAREd statements that call models (PostgreSQL cannot run those). */
  private readonly sqlPrepared: SqlPreparedStore = new Map();
  /** Statements and portals of the extended protocol that the proxy answers itself. */
  private readonly extended: ProxiedStatements;
  /** Counters for /metrics and SHOW MODELGRES (src/metrics). */
  private readonly stats: ReturnType<typeof trackClient>;

  constructor(socket: net.Socket, private readonly options: SessionOptions) {
    this.client = socket;
    this.stats = trackClient(socket, () => ({ user: this.user, database: this.database, status: this.status }));
    socket.setNoDelay(true);
    this.clientFrames = new FrameStream(this.clientSink());
    this.upstreamFrames = new FrameStream(this.upstreamSink());
    this.link = new UpstreamLink({
      writeUpstream: (bytes) => this.writeUpstream(bytes),
      writeClient: (bytes) => this.writeClient(bytes),
      own: (consumer, onClose) => {
        this.owned = { consumer, onClose };
        this.tracker.upstreamSynced = false;
      },
      upstreamReady: () => {
        this.tracker.upstreamSynced = true;
      },
      setTransactionStatus: (s) => {
        this.status = s;
      },
      transactionStatus: () => this.status,
      holdUpstream: () => {
        this.upstreamHeld = true;
        this.upstream?.pause();
      },
      releaseUpstream: () => {
        this.upstreamHeld = false;
        if (!this.client.writableNeedDrain) this.upstream?.resume();
        this.guard(() => this.upstreamFrames.resume());
      },
    });
    this.extended = new ProxiedStatements({
      planner: options.planner,
      link: this.link,
      tracker: this.tracker,
      forward: (type, raw) => this.forward(type, raw),
      exclusive: (kind, task, parseName) => this.exclusive(kind, task, parseName),
      writeClient: (bytes) => this.writeClient(bytes),
      captureClientWrites: (capture) => {
        this.captureClient = capture;
      },
      context: (signal) => this.context(signal),
      status: () => this.status,
    });
    this.startup = new StartupNegotiation({
      tls: options.tls,
      tlsRequired: options.tlsRequired,
      cancels: options.cancels,
      socket: () => this.client,
      upgraded: (secure) => {
        this.client = secure;
        this.attachClient(secure);
      },
      forwardCancel: (packet) => forwardCancelRequest(options.upstream, packet),
      ended: () => {
        this.phase = 'closed';
        this.client.end();
      },
      started: (packet, protocol, parameters, rest) => this.startUpstream(packet, protocol, parameters, rest),
    });
    this.attachClient(socket);
  }

  // ---- plumbing ----

  private attachClient(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.guard(() => this.onClientData(chunk)));
    socket.on('error', (e) => this.options.log.debug('client socket error', e));
    // The listener allows half-open sockets, for the authentication phase (see onClientEnd).
    socket.on('end', () => this.onClientEnd());
    socket.on('close', () => this.close());
    socket.on('drain', () => {
      if (!this.upstreamHeld) this.upstream?.resume();
    });
  }

  /** See ExtendedProtocolHost.captureClientWrites: a portal executed with a row limit keeps its rows. */
  private captureClient: ((bytes: Buffer, write: (bytes: Buffer) => void) => void) | null = null;

  private writeClient(bytes: Buffer): void {
    if (this.captureClient) return this.captureClient(bytes, (b) => this.writeClientNow(b));
    this.writeClientNow(bytes);
  }

  /**
   * While the session works on what the client sent (a client read, the proxy's own work for a
   * message), its answers are gathered and leave in one write when the work is done: RowDescription,
   * DataRow, CommandComplete and ReadyForQuery of a one-row call would otherwise be four writes,
   * four system calls and up to four packets. Passed-through answers outside such work leave at
   * once, as they came.
   */
  private writeClientNow(bytes: Buffer): void {
    if (this.phase === 'closed') return;
    this.stats.bytesSent += bytes.length;
    if (!this.inClientRead && !this.answering && this.gathered.length === 0) {
      if (!this.client.write(bytes)) this.upstream?.pause();
      return;
    }
    this.gathered.push(bytes);
    this.gatheredBytes += bytes.length;
    if (this.gatheredBytes >= GATHERED_BYTES_LIMIT) this.flushClient();
    else if (this.answering && !this.gatheredTimer) this.gatheredTimer = setTimeout(() => this.flushClient(), GATHERED_DELAY_MS);
  }

  /** Writes the gathered answers: small ones copied into one buffer, larger ones in one writev. */
  private flushClient(): void {
    if (this.gatheredTimer) {
      clearTimeout(this.gatheredTimer);
      this.gatheredTimer = null;
    }
    const gathered = this.gathered;
    if (gathered.length === 0) return;
    const bytes = this.gatheredBytes;
    this.gathered = [];
    this.gatheredBytes = 0;
    const client = this.client;
    if (client.destroyed) return;
    if (gathered.length === 1 || bytes < GATHERED_BYTES_LIMIT) {
      if (!client.write(gathered.length === 1 ? gathered[0] : Buffer.concat(gathered, bytes))) this.upstream?.pause();
      return;
    }
    client.cork();
    for (const b of gathered) client.write(b);
    client.uncork();
    if (client.writableNeedDrain) this.upstream?.pause();
  }

  private writeUpstream(bytes: Buffer): void {
    if (!this.upstream || this.phase === 'closed') return;
    if (this.upstreamBatch) {
      this.upstreamBatch.push(bytes);
      return;
    }
    if (!this.upstream.write(bytes)) this.client.pause();
  }

  /**
   * Sends what one client read produced as one write: a Parse the planner looked at and the Bind,
   * Execute and Sync after it would otherwise leave in two writes, two packets and two wake-ups
   * of the backend.
   */
  private flushUpstreamBatch(): void {
    const batch = this.upstreamBatch;
    this.upstreamBatch = null;
    if (!batch || batch.length === 0 || !this.upstream || this.phase === 'closed') return;
    if (batch.length === 1) {
      this.writeUpstream(batch[0]);
      return;
    }
    // Corked writes leave in one writev, without copying them together.
    this.upstream.cork();
    for (const bytes of batch) this.upstream.write(bytes);
    this.upstream.uncork();
    if (this.upstream.writableNeedDrain) this.client.pause();
  }

  /** Runs a handler; anything unexpected ends this session only, never the proxy. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (isClientError(error) && error.severity === 'FATAL') {
      this.options.log.debug(`closing session: ${error.message}`);
      this.writeClient(errorResponse(error));
    } else {
      this.options.log.error('session failed', error);
      this.writeClient(
        errorResponse(new ClientError(SqlState.internalError, 'modelgres internal error', { severity: 'FATAL' })),
      );
    }
    this.close();
  }

  close(): void {
    this.stats.close();
    if (this.phase === 'closed') return;
    this.flushClient();
    const wasReady = this.phase === 'ready';
    this.phase = 'closed';
    if (this.holdsSlot) this.options.slots.release();
    this.holdsSlot = false;
    this.work?.abort();
    if (this.upstreamKey) this.options.cancels.unregister(this.upstreamKey.readInt32BE(0), this);
    if (this.upstream) {
      if (wasReady) this.upstream.end(serialize.end());
      else this.upstream.destroy();
    }
    this.client.end();
    this.client.destroySoon?.();
    const owned = this.owned;
    this.owned = null;
    owned?.onClose(new ClientError(SqlState.connectionFailure, 'connection closed'));
  }

  /**
   * The client sent its last byte. While PostgreSQL judges the startup packet it still answers
   * (a FATAL for a bad packet reaches a client that half-closed, as from PostgreSQL directly), so
   * the end is passed on and the session lasts until PostgreSQL closes; otherwise it ends now.
   */
  private onClientEnd(): void {
    if (this.phase === 'authenticating' && this.upstream) this.upstream.end();
    else this.close();
  }

  /** CancelRequest for this session: stop the proxy's own work and the upstream backend's. */
  cancel(): void {
    this.work?.abort();
    // PostgreSQL cancels whatever the backend runs when the request gets there. Sent only while it
    // runs something of this session's (the client's messages, or an exchange of the proxy's own):
    // a cancel of work PostgreSQL has no part in (a training in the transaction, onnxruntime) would
    // otherwise land on the client's next statement.
    const upstreamBusy = !this.tracker.idle || this.owned !== null;
    if (this.upstreamKey && this.upstream && upstreamBusy) sendCancelRequest(this.options.upstream, this.upstreamKey);
  }

  // ---- startup phase (see StartupNegotiation) ----

  private onClientData(chunk: Buffer): void {
    this.stats.bytesReceived += chunk.length;
    if (this.phase === 'startup') {
      this.startup.push(chunk);
    } else if (this.phase !== 'closed') {
      this.upstreamBatch = [];
      this.inClientRead = true;
      try {
        this.clientFrames.push(chunk);
      } finally {
        this.inClientRead = false;
        this.flushUpstreamBatch();
        if (!this.answering) this.flushClient();
      }
    }
  }

  /**
   * PostgreSQL judges the packet (protocol version, layout, user) and answers it, as to a direct
   * client. A protocol older than 3 gets its refusal in the old format, which has no length word:
   * those bytes are relayed as they come.
   */
  private startUpstream(startupPacket: Buffer, protocol: number, parameters: Record<string, string>, rest: Buffer): void {
    // Checked where PostgreSQL checks it: after SSL negotiation, before authentication.
    this.options.slots.take();
    this.holdsSlot = true;
    this.user = parameters.user ?? '';
    this.database = parameters.database || this.user;
    this.phase = 'authenticating';
    const opaque = protocol >>> 16 < 3;
    const upstream = connectUpstreamReading(this.options.upstream, this.upstreamReads, (chunk) =>
      opaque ? this.writeClient(Buffer.from(chunk)) : this.onUpstreamRead(chunk),
    );
    this.upstream = upstream;
    upstream.on('drain', () => this.client.resume());
    upstream.on('error', (e) => {
      this.options.log.debug('upstream socket error', e);
      if (this.phase === 'authenticating') {
        countUpstreamConnectionError();
        this.writeClient(
          errorResponse(
            new ClientError(SqlState.sqlclientUnableToEstablishSqlconnection, `modelgres cannot reach PostgreSQL: ${e.message}`, {
              severity: 'FATAL',
            }),
          ),
        );
      }
    });
    upstream.on('close', () => this.onUpstreamClose());
    upstream.write(startupPacket);
    if (rest.length) this.clientFrames.push(rest);
  }

  /**
   * A read from the upstream, in memory the next read reuses unless something kept these bytes:
   * a pause of the frame stream (the rest waits), a handler given a whole message, or a write to
   * the client that did not complete at once (its bytes wait in the socket's queue).
   */
  private onUpstreamRead(chunk: Buffer): void {
    this.upstreamMessageTaken = false;
    try {
      this.upstreamFrames.push(chunk);
    } catch (error) {
      this.fail(error);
    }
    // Gathered answers may be views of this read too.
    if (this.upstreamMessageTaken || this.upstreamFrames.paused || this.client.writableLength > 0 || this.gathered.length > 0) {
      this.upstreamReads.keep();
    }
  }

  // ---- client → upstream ----

  private clientSink(): FrameSink {
    return {
      wantsWhole: (type, length) =>
        this.phase === 'ready' && length <= ROUTED_MESSAGE_LIMIT && (this.mayIntercept(type) || isFlushWithBody(type, length)),
      onMessage: (type, body, raw) => this.onRoutedClientMessage(type, body, raw),
      onRaw: (bytes) => this.writeUpstream(bytes),
      onRawMessageEnd: (type) => {
        if (this.phase === 'ready') this.tracker.sent(type);
        if (type === Frontend.Sync) this.stats.sync();
        if (type === Frontend.Terminate) this.clientTerminated = true;
      },
      onProtocolError: (error) => this.fail(error),
    };
  }

  /**
   * Messages the planner must see: every Query and Parse, and the rest of the extended protocol
   * only while the proxy holds statements of its own in this session.
   */
  private mayIntercept(type: number): boolean {
    return type === Frontend.Query || type === Frontend.Parse || this.extended.wants(type);
  }

  private forward(type: number, raw: Buffer): 'continue' {
    this.tracker.sent(type);
    this.writeUpstream(raw);
    return 'continue';
  }

  private onRoutedClientMessage(type: number, body: Buffer, raw: Buffer): 'continue' | 'pause' {
    // DEALLOCATE ALL or DISCARD ALL drops the statements the link keeps prepared upstream too.
    if ((type === Frontend.Query || type === Frontend.Parse) && this.link.keepsStatements() && DROPS_STATEMENTS.test(body.toString('latin1'))) {
      this.link.forgetKept();
    }
    return type === Frontend.Query ? this.onQuery(body, raw) : this.extended.onMessage(type, body, raw);
  }

  private onQuery(body: Buffer, original: Buffer): 'continue' | 'pause' {
    const plan = this.options.planner.planQuery(new BufferReader(body).cstring(), this.sqlPrepared);
    this.extended.forgetUnnamed();
    this.stats.query(plan.kind === 'forward');
    if (plan.kind === 'forward') return this.forward(Frontend.Query, plan.rewritten ? serialize.query(plan.sql) : original);
    return this.exclusive('simple', async (signal) => {
      const context = this.context(signal);
      await runInterceptedQuery(plan.sql, plan.statements, {
        link: this.link,
        run: (statement) => this.options.planner.run(statement, context, this.sqlPrepared),
        send: (bytes) => this.writeClient(bytes),
        log: this.options.log,
      });
    });
  }

  /**
   * Runs the proxy's own work for one client message once the upstream has answered everything
   * before it, with the client's input held meanwhile. In the extended protocol an error leaves
   * the upstream skipping to the next Sync, exactly as PostgreSQL does after a failed message.
   */
  private exclusive(protocol: ExclusiveKind, task: (signal: AbortSignal) => Promise<void>, parseName?: string): 'pause' {
    this.client.pause();
    this.answering = true;
    this.whenUpstreamIdle(() => {
      // PostgreSQL ignores every message after an extended-protocol error until the Sync, a Query
      // too (running it here left the proxy waiting for answers PostgreSQL would never send).
      const skip = this.tracker.skippingUntilSync && protocol !== 'sync';
      const run = skip ? Promise.resolve() : this.runTask(protocol, task, parseName);
      run
        .catch((error) => this.fail(error))
        .finally(() => {
          this.work = null;
          if (protocol === 'simple' && !skip) this.stats.readyForQuery(this.status);
          if (this.phase === 'closed') return;
          this.answering = false;
          this.client.resume();
          // The messages after this one may be answered at once: their answers join this one's.
          this.guard(() => this.clientFrames.resume());
          if (!this.answering) this.flushClient();
        });
    });
    return 'pause';
  }

  /** `parseName`: the task answers a Parse of that statement name (see failExtendedGroup). */
  private async runTask(protocol: ExclusiveKind, task: (signal: AbortSignal) => Promise<void>, parseName?: string): Promise<void> {
    this.work = new AbortController();
    if (protocol !== 'extended') return task(this.work.signal);
    try {
      await this.extended.beforeTask();
      await task(this.work.signal);
    } catch (error) {
      if (!(error instanceof RelayedError) && !isClientError(error)) throw error;
      // failExtendedGroup('') drops the upstream's unnamed statement, as a failed Parse does.
      if (parseName !== undefined) this.extended.onFailedParse(parseName);
      await this.link.failExtendedGroup(parseName);
      this.tracker.skippingUntilSync = true;
      if (isClientError(error)) this.writeClient(errorResponse(error));
    }
  }

  private context(signal: AbortSignal): StatementContext {
    return {
      user: this.user,
      database: this.database,
      settings: this.options.settings,
      upstream: this.link,
      send: (bytes) => this.writeClient(bytes),
      catalogChanged: () => this.options.onCatalogChange(),
      signal,
    };
  }

  /**
   * Runs `fn` once the upstream has answered everything forwarded so far. Messages of an
   * unfinished extended-protocol group are answered only after a Flush, so one is sent.
   */
  private whenUpstreamIdle(fn: () => void): void {
    if (this.tracker.idle) {
      fn();
      return;
    }
    this.idleWaiters.push(fn);
    if (!this.tracker.awaitingReadyForQuery) this.writeUpstream(serialize.flush());
  }

  private wakeIdleWaiters(): void {
    if (!this.tracker.idle || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    // After the current chunk has been passed on, so the client sees answers in order.
    setImmediate(() => waiters.forEach((w) => w()));
  }

  // ---- upstream → client ----

  private upstreamSink(): FrameSink {
    return {
      // ReadyForQuery is read in place when it arrives whole, so a reply leaves in one write.
      wantsWhole: (type, _length, inThisChunk) =>
        this.owned !== null ||
        (type === Backend.ReadyForQuery && !inThisChunk) ||
        (this.phase === 'authenticating' && (type === Backend.BackendKeyData || type === Backend.ReadyForQuery)),
      onMessage: (type, body, raw) => {
        this.upstreamMessageTaken = true;
        if (this.owned) {
          this.lastRelayedType = 0;
          if (type === Backend.ErrorResponse && isFatal(body)) this.upstreamFatal = Buffer.from(raw);
          if (this.owned.consumer(type, body, raw)) this.owned = null;
          return this.upstreamHeld ? 'pause' : 'continue';
        }
        if (type === Backend.BackendKeyData) {
          this.registerBackendKey(body);
          this.writeClient(raw);
          return 'continue';
        }
        // ReadyForQuery
        if (this.phase === 'authenticating') this.phase = 'ready';
        this.writeClient(raw);
        this.onUpstreamMessageEnd(type, body);
        return 'continue';
      },
      onRaw: (bytes) => this.writeClient(bytes),
      onRawMessageEnd: (type, chunk, bodyStart, bodyEnd) =>
        this.onUpstreamMessageEnd(type, chunk && type === Backend.ReadyForQuery ? chunk.subarray(bodyStart, bodyEnd) : null),
      onProtocolError: (error) => {
        this.options.log.error('upstream sent a malformed message', error);
        this.close();
      },
    };
  }

  /**
   * PostgreSQL closed this session's connection: a restart, pg_terminate_backend, a crash. The
   * client learns why from an ErrorResponse, as from PostgreSQL directly: PostgreSQL's own FATAL
   * (relayed already, or taken by a statement of the proxy's own and relayed now), else 08006,
   * for an immediate shutdown or a crash, which close the connection without a word.
   */
  private onUpstreamClose(): void {
    if (this.phase === 'ready' && this.lastRelayedType !== Backend.ErrorResponse && !this.clientTerminated) {
      this.writeClient(
        this.upstreamFatal ??
          errorResponse(
            new ClientError(SqlState.connectionFailure, 'the connection to PostgreSQL was lost: the server shut down, restarted, or ended this session', {
              severity: 'FATAL',
              hint: 'Connect again. An open transaction was rolled back; a statement in flight may or may not have completed.',
            }),
          ),
      );
    }
    this.close();
  }

  private onUpstreamMessageEnd(type: number, body: Buffer | null): void {
    if (this.phase !== 'ready') return;
    this.lastRelayedType = type;
    if (type === Backend.ReadyForQuery && body) {
      this.status = decodeTransactionStatus(body);
      this.extended.onTransactionStatus(this.status);
      this.stats.readyForQuery(this.status);
    }
    this.tracker.received(type);
    this.wakeIdleWaiters();
  }

  /**
   * The client gets PostgreSQL's own key, so pg_backend_pid(), a notification's sender pid and
   * pg_terminate_backend mean the pid it was given; the proxy keeps it to recognise a
   * CancelRequest for this session (see CancelRegistry).
   */
  private registerBackendKey(body: Buffer): void {
    if (body.length < 4) return;
    this.stats.backendPid = body.readInt32BE(0);
    this.upstreamKey = Buffer.from(body);
    this.options.cancels.register(body.readInt32BE(0), body.subarray(4), this);
  }
}

/** An ErrorResponse that ends the session (PostgreSQL closes the connection after it). */
function isFatal(body: Buffer): boolean {
  const fields = decodeErrorFields(body);
  const severity = fields.V ?? fields.S;
  return severity === 'FATAL' || severity === 'PANIC';
}

/**
 * A Flush has no body. PostgreSQL answers one that has with an ERROR that no tracked message
 * owns, and skips to the Sync; the proxy would then misread which answer belongs to what (found
 * by the protocol fuzzer, seed 20261202), so it refuses the message itself (ProxiedStatements).
 */
function isFlushWithBody(type: number, length: number): boolean {
  return type === Frontend.Flush && length > 4;
}

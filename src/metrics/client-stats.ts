import type net from 'node:net';

/** What the session knows of itself once the startup packet is read. */
export interface SessionIdentity {
  user: string;
  database: string;
  /** PostgreSQL's transaction status as of the last ReadyForQuery: I, T or E. */
  status: string;
}

type Total = 'connections' | 'transactions' | 'queries' | 'bytesReceived' | 'bytesSent';

/**
 * One client connection's counters. The session adds to plain fields on its hot path; /metrics
 * and SHOW MODELGRES read them when asked.
 */
export class ClientStats {
  readonly id: number;
  readonly connectedAt = new Date();
  readonly address: string;
  readonly port: number | null;
  backendPid: number | null = null;
  transactions = 0;
  queries = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** Microseconds from forwarded simple Query to ReadyForQuery, summed. */
  queryMicros = 0;
  /** process.hrtime.bigint() of the last Query or Sync: one clock read a request serves both uses. */
  private lastRequestAt: bigint | null = null;
  /** process.hrtime.bigint() when the forwarded query in flight left, or null. */
  private startedAt: bigint | null = null;
  private proxyWork = false;
  private awaitingReady = false;

  constructor(
    socket: net.Socket,
    private readonly identity: () => SessionIdentity,
    private readonly onQueryTime: (seconds: number) => void,
    private readonly registry: ClientRegistry,
  ) {
    this.id = registry.nextId();
    this.address = socket.remoteAddress ?? (socket.localAddress === undefined ? 'unix' : '');
    this.port = socket.remotePort ?? null;
  }

  get user(): string {
    return this.identity().user;
  }

  get database(): string {
    return this.identity().database;
  }

  /** When the last Query or Sync arrived, on the wall clock. */
  get lastRequestMs(): number | null {
    return this.lastRequestAt === null ? null : Date.now() - Number(process.hrtime.bigint() - this.lastRequestAt) / 1e6;
  }

  /** pgbouncer's words: active while a query runs, otherwise idle or idle in transaction. */
  get state(): string {
    if (this.startedAt !== null || this.proxyWork) return 'active';
    const status = this.identity().status;
    return status === 'T' ? 'idle in transaction' : status === 'E' ? 'idle in failed transaction' : 'idle';
  }

  /** A simple Query: forwarded as it is (timed to its ReadyForQuery) or run by the proxy. */
  query(forwarded: boolean): void {
    this.request();
    if (forwarded) this.startedAt ??= this.lastRequestAt;
    else this.proxyWork = true;
  }

  /** An extended-protocol Sync passed on to PostgreSQL: the end of one request. */
  sync(): void {
    this.request();
  }

  /** A ReadyForQuery reached the client with this transaction status. */
  readyForQuery(status: string): void {
    // The first one ends authentication, not a request; an idle status ends a transaction.
    if (this.awaitingReady && status === 'I') this.transactions++;
    this.awaitingReady = false;
    this.proxyWork = false;
    if (this.startedAt === null) return;
    const micros = Number(process.hrtime.bigint() - this.startedAt) / 1000;
    this.startedAt = null;
    this.queryMicros += micros;
    this.onQueryTime(micros / 1e6);
  }

  private request(): void {
    this.queries++;
    this.awaitingReady = true;
    this.lastRequestAt = process.hrtime.bigint();
  }

  close(): void {
    this.registry.closed(this);
  }
}

/** Totals of one database and user: the open sessions' counters plus those of sessions gone. */
export interface UserTotals {
  database: string;
  user: string;
  clients: number;
  connections: number;
  transactions: number;
  queries: number;
  bytesReceived: number;
  bytesSent: number;
  queryMicros: number;
}

/** The client connections of this process, open and gone (their counters kept as totals). */
export class ClientRegistry {
  private readonly live = new Set<ClientStats>();
  private readonly gone = new Map<string, UserTotals>();
  private lastId = 0;

  nextId(): number {
    return ++this.lastId;
  }

  add(stats: ClientStats): ClientStats {
    this.live.add(stats);
    return stats;
  }

  closed(stats: ClientStats): void {
    if (!this.live.delete(stats)) return;
    const t = this.totalsOf(this.gone, stats.database, stats.user);
    add(t, stats);
  }

  open(): ClientStats[] {
    return [...this.live];
  }

  /** One row a database and user, open sessions and closed ones together. */
  byUser(): UserTotals[] {
    const rows = new Map<string, UserTotals>();
    for (const t of this.gone.values()) Object.assign(this.totalsOf(rows, t.database, t.user), { ...t, clients: 0 });
    for (const s of this.live) {
      const t = this.totalsOf(rows, s.database, s.user);
      t.clients++;
      add(t, s);
    }
    return [...rows.values()].sort((a, b) => a.database.localeCompare(b.database) || a.user.localeCompare(b.user));
  }

  total(field: Total): number {
    let sum = 0;
    for (const t of this.gone.values()) sum += t[field];
    for (const s of this.live) sum += field === 'connections' ? 1 : s[field];
    return sum;
  }

  private totalsOf(map: Map<string, UserTotals>, database: string, user: string): UserTotals {
    const key = `${database}\u0000${user}`;
    let t = map.get(key);
    if (!t) {
      t = { database, user, clients: 0, connections: 0, transactions: 0, queries: 0, bytesReceived: 0, bytesSent: 0, queryMicros: 0 };
      map.set(key, t);
    }
    return t;
  }
}

function add(t: UserTotals, s: ClientStats): void {
  t.connections++;
  t.transactions += s.transactions;
  t.queries += s.queries;
  t.bytesReceived += s.bytesReceived;
  t.bytesSent += s.bytesSent;
  t.queryMicros += s.queryMicros;
}

/** This process's client connections. */
export const CLIENTS = new ClientRegistry();

import type { FieldDescription } from '../protocol/backend-messages.ts';
import type { TransactionStatus } from '../protocol/message-codes.ts';

export interface QueryResult {
  fields: FieldDescription[];
  rows: Array<Array<string | null>>;
  command: string;
}

/** Rows left as PostgreSQL sent them (DataRow bodies), for splicing without decoding every value. */
export interface RawQueryResult {
  fields: FieldDescription[];
  rows: Buffer[];
  command: string;
}

export type BatchHandler = (batch: RawQueryResult, earlier: readonly RawQueryResult[]) => Promise<void>;

export interface StreamResult {
  earlier: RawQueryResult[];
  /** The last statement's columns and command tag (its rows went to the batches). */
  last: RawQueryResult;
}

export interface PipelinedStatement {
  sql: string;
  params?: ReadonlyArray<string | null>;
  parameterTypes?: number[];
  /**
   * Bind's result format codes (none: all text), for rows handed on to a client that asked for
   * binary columns. Only the client's own session (UpstreamLink) honours them: background work
   * on a pg connection reads text.
   */
  resultFormats?: readonly number[];
  /**
   * The session may keep this statement prepared under a name of its own and bind it again the
   * next time the same text comes (UpstreamLink: PostgreSQL then neither parses nor plans it).
   * Only for statements whose columns cannot change type: a kept plan whose result type changed
   * is refused by PostgreSQL.
   */
  keep?: boolean;
}

/**
 * A connection to PostgreSQL working for a client: statements run as the client's role, inside
 * the client's transaction, and values stay PostgreSQL's text. The proxy's upstream link is one
 * (the client's own session); a pg connection is another (background work acting as a model's
 * owner). inference/, monitor/ and statements/ reach PostgreSQL only through this.
 */
export interface UpstreamSession {
  /** One statement with text parameters; an upstream error is thrown as PostgreSQL's own. */
  query(sql: string, params?: ReadonlyArray<string | null>, parameterTypes?: number[]): Promise<QueryResult>;
  /** Like query, with each row's DataRow body as it came. */
  queryRaw(sql: string, params?: ReadonlyArray<string | null>, parameterTypes?: number[]): Promise<RawQueryResult>;
  /** Several statements in order, all or nothing as one exchange; the first error is thrown. */
  pipeline(statements: ReadonlyArray<PipelinedStatement>): Promise<RawQueryResult[]>;
  /**
   * A pipeline whose last statement may return many rows, run in one exchange without a cursor:
   * those rows go to `onBatch` in order, `batchRows` at a time, while later ones keep arriving.
   * Reading pauses while a batch waits for the one before it, so memory stays flat however many
   * rows there are. `earlier`: the results of the statements before the last, whole.
   */
  stream(statements: ReadonlyArray<PipelinedStatement>, batchRows: number, onBatch: BatchHandler): Promise<StreamResult>;
  /** What PostgreSQL says a statement takes and returns, without running it. */
  describe(sql: string, parameterTypes?: number[]): Promise<{ parameterTypes: number[]; fields: FieldDescription[] | null }>;
  /** COPY ... TO STDOUT: each data row (COPY text, without its newline) to `onRow`; returns the count. */
  copyOut(copySql: string, onRow: (line: string) => void): Promise<number>;
  /** COPY ... FROM STDIN of one block of COPY text rows. */
  copyIn(copySql: string, data: Buffer): Promise<void>;
  /**
   * Runs statements as a simple Query and passes their answers to the client as PostgreSQL sent
   * them (all but the closing ReadyForQuery). `failed`: PostgreSQL's error reached the client.
   */
  relay(sql: string): Promise<{ failed: boolean }>;
  /**
   * The extended-protocol twin of relay: one statement with $n parameters, no RowDescription;
   * `resultFormats` are the client's Bind's result format codes.
   */
  relayExtended(sql: string, params: ReadonlyArray<string | null>, resultFormats?: readonly number[]): Promise<{ failed: boolean }>;
  /** Puts an open transaction into the failed state, as a failed statement of the client's would. */
  abortTransaction(): Promise<void>;
  /** The transaction status as of the last exchange: 'I' idle, 'T' in a transaction, 'E' failed. */
  transactionStatus(): TransactionStatus;
}

import type { FieldDescription } from '../protocol/backend-messages.ts';
import type { TransactionStatus } from '../protocol/message-codes.ts';
import type { UpstreamLink } from './upstream-link.ts';
import type { SqlPrepared } from '../inference/sql-prepared-statements.ts';

/** Settings of the proxy that statements depend on. */
export interface ProxySettings {
  /** Where CREATE MODEL ... FROM 'file.onnx' finds files; paths cannot leave it. */
  modelDir: string;
  /** Largest ONNX file CREATE MODEL imports. */
  maxModelBytes: number;
}

/** What a statement handler gets: the client's own upstream session and a way to answer. */
export interface StatementContext {
  readonly user: string;
  readonly database: string;
  readonly settings: ProxySettings;
  /** PREPAREd statements that call models, which this session's proxy keeps (EXECUTE runs them). */
  readonly sqlPrepared: Map<string, SqlPrepared>;
  /** Runs SQL on the client's upstream session, as its role, inside its transaction. */
  readonly upstream: UpstreamLink;
  /** Sends a backend message to the client. */
  send(message: Buffer): void;
  /** The upstream session's transaction status as of its last ReadyForQuery. */
  transactionStatus(): TransactionStatus;
  /**
   * Tells the proxy a statement changed the catalog and has committed, so the model functions
   * the router knows are current before the client's next statement.
   */
  catalogChanged(): Promise<void>;
  /** The model runtime (onnxruntime sessions) for statements that predict, such as EVALUATE MODEL. */
  readonly inference?: { sessions: import('../inference/onnx-session-cache.ts').OnnxSessionCache };
  /** Aborted when the client cancels or goes away. */
  readonly signal: AbortSignal;
}

/** A statement the router took out of the passthrough path. */
export interface InterceptedStatement {
  /** The statement text without its trailing semicolon. */
  text: string;
  /** Offset of the statement in the client's query string, for error positions. */
  offset: number;
  kind: 'ml' | 'model-call';
}

/** Runs an intercepted statement and answers it (rows, CommandComplete); throws ClientError. */
export type StatementHandler = (statement: InterceptedStatement, context: StatementContext) => Promise<void>;

/** The description of a statement the proxy answers in the extended protocol. */
export interface StatementDescription {
  parameterTypes: number[];
  /** null: the statement returns no rows (NoData). */
  fields: FieldDescription[] | null;
}

/**
 * Intercepted statements in the extended protocol (Parse/Bind/Describe/Execute), as JDBC, the
 * pg package with parameters and migration tools send them. `prepare` runs at Parse, so errors
 * in the statement surface there, as in PostgreSQL; null means PostgreSQL should have it after all.
 */
export interface ExtendedStatementHandler {
  prepare(statement: InterceptedStatement, parameterTypes: number[]): Promise<PreparedStatement | null>;
}

export interface PreparedStatement {
  describe(context: StatementContext): Promise<StatementDescription>;
  /** Sends DataRows and CommandComplete (no RowDescription: Describe sent it). */
  execute(parameters: ReadonlyArray<string | null>, context: StatementContext): Promise<void>;
}

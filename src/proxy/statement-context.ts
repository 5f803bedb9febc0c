import type { TransactionStatus } from '../protocol/message-codes.ts';
import type { UpstreamLink } from './upstream-link.ts';

/** What a statement handler gets: the client's own upstream session and a way to answer. */
export interface StatementContext {
  readonly user: string;
  readonly database: string;
  /** Runs SQL on the client's upstream session, as its role, inside its transaction. */
  readonly upstream: UpstreamLink;
  /** Sends a backend message to the client. */
  send(message: Buffer): void;
  /** The upstream session's transaction status as of its last ReadyForQuery. */
  transactionStatus(): TransactionStatus;
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

import { isClientError, ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { errorResponse, readyForQuery } from '../protocol/backend-messages.ts';
import type { TransactionStatus } from '../protocol/message-codes.ts';
import type { ClassifiedStatement } from '../router/statement-router.ts';
import { firstWords } from '../sql/split-statements.ts';
import { pgPosition } from '../sql/position.ts';
import type { StatementContext, StatementHandler } from './statement-context.ts';
import type { UpstreamLink } from './upstream-link.ts';
import { RelayedError } from './relayed-error.ts';

export interface InterceptedQueryDeps {
  link: UpstreamLink;
  context: StatementContext;
  handle: StatementHandler;
  status(): TransactionStatus;
  send(bytes: Buffer): void;
}

const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release', 'prepare']);

/**
 * A simple Query message in which at least one statement is for the proxy. Runs of ordinary
 * statements go to PostgreSQL as they are; the others go to their handler. Like PostgreSQL, the
 * whole message is one implicit transaction when no transaction is open and it holds several
 * statements, and the first error ends it. One ReadyForQuery closes the message.
 */
export async function runInterceptedQuery(
  sql: string,
  statements: ClassifiedStatement[],
  deps: InterceptedQueryDeps,
): Promise<void> {
  const implicitTransaction =
    statements.length > 1 &&
    deps.status() === 'I' &&
    !statements.some((s) => TRANSACTION_CONTROL.has(firstWords(s.text, 1)[0] ?? ''));
  if (implicitTransaction) await deps.link.query('BEGIN');

  let failed = false;
  for (let i = 0; i < statements.length && !failed; ) {
    const statement = statements[i];
    if (statement.kind === 'passthrough') {
      // Forward the whole run of ordinary statements in one message, as the client wrote it.
      let j = i;
      while (j + 1 < statements.length && statements[j + 1].kind === 'passthrough') j++;
      const text = sql.slice(statement.start, statements[j].end);
      failed = (await deps.link.relay(text)).failed;
      i = j + 1;
      continue;
    }
    try {
      await deps.handle({ text: statement.text, offset: statement.start, kind: statement.kind }, deps.context);
    } catch (error) {
      failed = true;
      // PostgreSQL's own error already reached the client, and its transaction state is right.
      if (error instanceof RelayedError) {
        i++;
        continue;
      }
      const clientError = toClientError(error, sql, statement.start);
      if (deps.status() === 'T' && !implicitTransaction) await deps.link.abortTransaction();
      deps.send(errorResponse(clientError));
    }
    i++;
  }

  if (implicitTransaction) {
    if (failed || deps.status() === 'E') {
      await deps.link.query('ROLLBACK');
    } else {
      try {
        await deps.link.query('COMMIT');
      } catch (error) {
        deps.send(errorResponse(toClientError(error, sql, 0)));
      }
    }
  }
  deps.send(readyForQuery(deps.status()));
}

/** Positions from handlers count within the statement; the client counts within its message. */
function toClientError(error: unknown, sql: string, statementOffset: number): ClientError {
  if (!isClientError(error)) {
    // Not meant for the client: the session logs it; the client learns only that it failed.
    console.error(error);
    return new ClientError(SqlState.internalError, 'modelgres internal error while running the statement');
  }
  if (error.position !== undefined && statementOffset > 0) {
    const before = pgPosition(sql, statementOffset) - 1;
    error.position += before;
  }
  return error;
}

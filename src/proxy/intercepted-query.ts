import { isClientError, ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { PlannedStatement } from '../plan/statement-plan.ts';
import { errorResponse, readyForQuery } from '../protocol/backend-messages.ts';
import { inOwnTransaction } from '../session/own-transaction.ts';
import { RelayedError } from '../session/relayed-error.ts';
import type { UpstreamSession } from '../session/upstream-session.ts';
import { pgPosition } from '../sql/position.ts';
import { firstWords } from '../sql/split-statements.ts';
import type { Logger } from '../util/logger.ts';

export interface InterceptedQueryDeps {
  link: UpstreamSession;
  /** Runs one statement the proxy answers; throws ClientError, or RelayedError once PostgreSQL's reached the client. */
  run(statement: PlannedStatement): Promise<void>;
  send(bytes: Buffer): void;
  log: Logger;
}

const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release', 'prepare']);

/** The message failed; its error has reached the client already. */
const FAILED = Symbol('failed');

/**
 * A simple Query message in which at least one statement is for the proxy. Runs of ordinary
 * statements go to PostgreSQL as they are; the others are run by the planner. Like PostgreSQL,
 * the whole message is one implicit transaction when no transaction is open and it holds several
 * statements, and the first error ends it. One ReadyForQuery closes the message.
 */
export async function runInterceptedQuery(sql: string, statements: PlannedStatement[], deps: InterceptedQueryDeps): Promise<void> {
  const implicitTransaction =
    statements.length > 1 &&
    deps.link.transactionStatus() === 'I' &&
    !statements.some((s) => TRANSACTION_CONTROL.has(firstWords(s.text, 1)[0] ?? ''));
  if (!implicitTransaction) {
    await runStatements(sql, statements, deps, false);
  } else {
    try {
      await inOwnTransaction(deps.link, async () => {
        if (!(await runStatements(sql, statements, deps, true))) throw FAILED;
      });
    } catch (error) {
      // A failed COMMIT (a deferred constraint, say) is the message's error.
      if (error !== FAILED) deps.send(errorResponse(toClientError(error, sql, 0, deps.log)));
    }
  }
  deps.send(readyForQuery(deps.link.transactionStatus()));
}

/** Runs the statements in order up to the first error (sent to the client); true when all succeeded. */
async function runStatements(sql: string, statements: PlannedStatement[], deps: InterceptedQueryDeps, implicit: boolean): Promise<boolean> {
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i];
    if (statement.kind === 'passthrough') {
      // Forward the whole run of ordinary statements in one message, as the client wrote it.
      let j = i;
      while (j + 1 < statements.length && statements[j + 1].kind === 'passthrough') j++;
      if ((await deps.link.relay(sql.slice(statement.start, statements[j].end))).failed) return false;
      i = j;
      continue;
    }
    try {
      await deps.run(statement);
    } catch (error) {
      // PostgreSQL's own error already reached the client, and its transaction state is right.
      if (error instanceof RelayedError) return false;
      const clientError = toClientError(error, sql, statement.start, deps.log);
      // The client's open transaction fails with the statement, as PostgreSQL's would.
      if (deps.link.transactionStatus() === 'T' && !implicit) await deps.link.abortTransaction();
      deps.send(errorResponse(clientError));
      return false;
    }
  }
  return true;
}

/** Positions from handlers count within the statement; the client counts within its message. */
function toClientError(error: unknown, sql: string, statementOffset: number, log: Logger): ClientError {
  if (!isClientError(error)) {
    // Not meant for the client: logged here; the client learns only that it failed.
    log.error('statement failed', error);
    return new ClientError(SqlState.internalError, 'modelgres internal error while running the statement');
  }
  if (error.position !== undefined && statementOffset > 0) {
    const before = pgPosition(sql, statementOffset) - 1;
    error.position += before;
  }
  return error;
}

import type { UpstreamSession } from './upstream-session.ts';

/**
 * Runs `work` in a transaction: the client's own when one is open, else one of its own that
 * commits when `work` succeeds and rolls back when it throws, as PostgreSQL runs a statement
 * outside a transaction block. Work that needs a cursor or several statements to agree uses it.
 */
export async function inOwnTransaction<T>(session: UpstreamSession, work: (own: boolean) => Promise<T>): Promise<T> {
  if (session.transactionStatus() !== 'I') return work(false);
  await session.query('BEGIN');
  let result: T;
  try {
    result = await work(true);
  } catch (error) {
    // A statement of `work` may have ended the transaction already (a relayed COMMIT, say).
    if (session.transactionStatus() !== 'I') await session.query('ROLLBACK').catch(() => {});
    throw error;
  }
  if (session.transactionStatus() !== 'I') await session.query('COMMIT');
  return result;
}

/** The statements that open and close a transaction of its own, or none inside the client's. */
export interface PipelinedTransaction {
  own: boolean;
  /** To send in front of the work's first pipeline. */
  begin: Array<{ sql: string }>;
  /** To send after the work's last statement, in its last pipeline. */
  commit: Array<{ sql: string }>;
}

/**
 * inOwnTransaction for work that saves round trips: it sends `tx.begin` with its first statements
 * and `tx.commit` with its last. When it throws, a transaction of its own is rolled back.
 */
export async function inPipelinedTransaction<T>(session: UpstreamSession, work: (tx: PipelinedTransaction) => Promise<T>): Promise<T> {
  const own = session.transactionStatus() === 'I';
  try {
    return await work({ own, begin: own ? [{ sql: 'BEGIN' }] : [], commit: own ? [{ sql: 'COMMIT' }] : [] });
  } catch (error) {
    if (own && session.transactionStatus() !== 'I') await session.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * A handler passed the statement to PostgreSQL and PostgreSQL's ErrorResponse has already reached
 * the client: nothing more is sent, and the transaction state is already PostgreSQL's.
 */
export class RelayedError extends Error {
  constructor() {
    super('statement failed in PostgreSQL');
  }
}

import pg from 'pg';

/**
 * A pg.Pool whose clients never end the process by losing their connection. pg emits a lost
 * connection (PostgreSQL shutting down: 57P01) as an 'error' on the client, and pg-pool listens
 * for it only while the client is idle; kysely holds a checked-out client between the statements
 * of a transaction without a listener, so an outage at that moment was an unhandled 'error'. Each
 * client the pool opens gets a listener of its own: the loss still reaches whoever holds the
 * client, as the failure of its next statement, and pg-pool drops the broken client.
 */
export function backgroundPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('connect', (client) => client.on('error', ignoreLoss));
  return pool;
}

/** The holder learns of the loss from its next statement; the pool's own 'error' reports idle ones. */
function ignoreLoss(): void {}

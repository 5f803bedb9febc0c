/** SHOW MODELGRES STATS: counters per database and user, pgbouncer's SHOW STATS in spirit. */
export interface ShowModelgresStats {
  readonly kind: 'ShowModelgresStats';
}

/** SHOW MODELGRES CLIENTS: the client connections of this proxy. */
export interface ShowModelgresClients {
  readonly kind: 'ShowModelgresClients';
}

/** SHOW MODELGRES WORKERS: the training queue's unfinished jobs and the workers holding them. */
export interface ShowModelgresWorkers {
  readonly kind: 'ShowModelgresWorkers';
}

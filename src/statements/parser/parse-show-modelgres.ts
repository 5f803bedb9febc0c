import type { ShowModelgresClients, ShowModelgresStats, ShowModelgresWorkers } from '../ast/show-modelgres.ts';
import type { TokenStream } from './token-stream.ts';

/** SHOW MODELGRES { STATS | CLIENTS | WORKERS } */
export function parseShowModelgres(ts: TokenStream): ShowModelgresStats | ShowModelgresClients | ShowModelgresWorkers {
  ts.expectKeyword('show');
  ts.expectKeyword('modelgres');
  let statement: ShowModelgresStats | ShowModelgresClients | ShowModelgresWorkers;
  if (ts.acceptKeyword('stats')) statement = { kind: 'ShowModelgresStats' };
  else if (ts.acceptKeyword('clients')) statement = { kind: 'ShowModelgresClients' };
  else if (ts.acceptKeyword('workers')) statement = { kind: 'ShowModelgresWorkers' };
  else throw ts.fail(ts.peek(), 'SHOW MODELGRES takes STATS, CLIENTS or WORKERS.');
  ts.expectEnd();
  return statement;
}

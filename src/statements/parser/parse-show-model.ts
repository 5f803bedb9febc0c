import type { ShowModel, ShowModelAll, ShowModelDrift, ShowModelEvaluations, ShowModelVersion, ShowModelVersions } from '../ast/show-model.ts';
import { parseQualifiedName, parseString } from './parse-names.ts';
import { parseVersionNumber } from './parse-numbers.ts';
import { parseTrainingSource } from './parse-training-source.ts';
import type { TokenStream } from './token-stream.ts';

type ShowStatement = ShowModelAll | ShowModel | ShowModelVersions | ShowModelVersion | ShowModelDrift | ShowModelEvaluations;

/** SHOW MODEL { ALL | m [ VERSIONS | VERSION n | DRIFT ... | EVALUATIONS ] } */
export function parseShowModel(ts: TokenStream): ShowStatement {
  ts.expectKeyword('show');
  ts.expectKeyword('model');
  // Unquoted ALL is the keyword; a model called all is written "all".
  if (ts.acceptKeyword('all')) return ts.expectEnd(), { kind: 'ShowModelAll' };
  const model = parseQualifiedName(ts);
  let statement: ShowStatement;
  if (ts.acceptKeyword('versions')) {
    statement = { kind: 'ShowModelVersions', model };
  } else if (ts.acceptKeyword('version')) {
    statement = { kind: 'ShowModelVersion', model, version: parseVersionNumber(ts) };
  } else if (ts.acceptKeyword('evaluations')) {
    statement = { kind: 'ShowModelEvaluations', model };
  } else if (ts.acceptKeyword('drift')) {
    const source = ts.acceptKeyword('from') ? parseTrainingSource(ts) : undefined;
    const since = ts.acceptKeyword('since') ? parseString(ts) : undefined;
    statement = { kind: 'ShowModelDrift', model, ...(source ? { source } : {}), ...(since !== undefined ? { since } : {}) };
  } else {
    statement = { kind: 'ShowModel', model };
  }
  ts.expectEnd();
  return statement;
}

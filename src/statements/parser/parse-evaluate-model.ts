import type { EvaluateModel } from '../ast/evaluate-model.ts';
import { parseQualifiedName } from './parse-names.ts';
import { parseVersionNumber } from './parse-numbers.ts';
import { parseTrainingSource } from './parse-training-source.ts';
import type { TokenStream } from './token-stream.ts';

/** EVALUATE MODEL m [ VERSION n ] FROM { table_name | ( select_query ) } */
export function parseEvaluateModel(ts: TokenStream): EvaluateModel {
  ts.expectKeyword('evaluate');
  ts.expectKeyword('model');
  const model = parseQualifiedName(ts);
  const version = ts.acceptKeyword('version') ? parseVersionNumber(ts) : undefined;
  ts.expectKeyword('from');
  const source = parseTrainingSource(ts);
  ts.expectEnd();
  return { kind: 'EvaluateModel', model, ...(version !== undefined ? { version } : {}), source };
}

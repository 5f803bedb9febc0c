import type { DropModel, DropModelVersion } from '../ast/drop-model.ts';
import { parseQualifiedName } from './parse-names.ts';
import { parseVersionNumber } from './parse-numbers.ts';
import type { TokenStream } from './token-stream.ts';

/** DROP MODEL [ IF EXISTS ] m [ VERSION n ] */
export function parseDropModel(ts: TokenStream): DropModel | DropModelVersion {
  ts.expectKeyword('drop');
  ts.expectKeyword('model');
  const ifExists = ts.acceptKeyword('if');
  if (ifExists) ts.expectKeyword('exists');
  const model = parseQualifiedName(ts);
  const statement: DropModel | DropModelVersion = ts.acceptKeyword('version')
    ? { kind: 'DropModelVersion', ifExists, model, version: parseVersionNumber(ts) }
    : { kind: 'DropModel', ifExists, model };
  ts.expectEnd();
  return statement;
}

import type { DropModel, DropModelVersion } from '../ast/drop-model.ts';
import { parseQualifiedName } from './parse-names.ts';
import { parseVersionNumber } from './parse-numbers.ts';
import type { TokenStream } from './token-stream.ts';

/** DROP MODEL [ IF EXISTS ] m [ VERSION n ] [ CASCADE | RESTRICT ] */
export function parseDropModel(ts: TokenStream): DropModel | DropModelVersion {
  ts.expectKeyword('drop');
  ts.expectKeyword('model');
  const ifExists = ts.acceptKeyword('if');
  if (ifExists) ts.expectKeyword('exists');
  const model = parseQualifiedName(ts);
  const version = ts.acceptKeyword('version') ? parseVersionNumber(ts) : undefined;
  // As PostgreSQL's DROP: objects that use the model's functions stop it unless CASCADE.
  const cascade = ts.acceptKeyword('cascade');
  if (!cascade) ts.acceptKeyword('restrict');
  ts.expectEnd();
  return version === undefined
    ? { kind: 'DropModel', ifExists, model, cascade }
    : { kind: 'DropModelVersion', ifExists, model, version, cascade };
}

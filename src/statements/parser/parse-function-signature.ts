import type { DataType } from '../ast/data-type.ts';
import type { QualifiedName } from '../ast/qualified-name.ts';
import { parseDataType } from './parse-data-type.ts';
import { parseQualifiedName } from './parse-names.ts';
import type { TokenStream } from './token-stream.ts';

/** After FUNCTION: f [ ( data_type [, ...] ) ]; `required` makes the type list mandatory. */
export function parseFunctionSignature(
  ts: TokenStream,
  required: boolean,
): { name: QualifiedName; parameterTypes?: DataType[] } {
  const name = parseQualifiedName(ts);
  if (!ts.isPunctuation('(')) {
    if (required) throw ts.fail(undefined, 'A model created FROM an artifact declares its parameter types: FUNCTION f (type, ...).');
    return { name };
  }
  ts.next();
  const parameterTypes: DataType[] = [];
  do parameterTypes.push(parseDataType(ts));
  while (ts.acceptPunctuation(','));
  ts.expectPunctuation(')');
  return { name, parameterTypes };
}

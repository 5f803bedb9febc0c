import { SqlState } from '../../errors/sqlstate.ts';
import { TRANSFORMERS, type PreprocessorStep, type Preprocessors, type TransformerName } from '../ast/preprocessors.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

const HINT = `PREPROCESSORS takes 'none' or a JSON list like '[{"ColumnSet": ["a", "b"], "Transformers": ["OneHotEncoder"]}]'.`;

/** After PREPROCESSORS: 'none' or a JSON list of {ColumnSet, Transformers}; anything else is 22023. */
export function parsePreprocessors(ts: TokenStream): Preprocessors {
  const token = ts.peek();
  if (token.kind !== 'string') throw ts.fail();
  ts.next();
  const fail = (message: string) => valueError(ts.sql, token, SqlState.invalidParameterValue, message, { hint: HINT });
  if (token.value.trim().toLowerCase() === 'none') return { kind: 'None' };
  let json: unknown;
  try {
    json = JSON.parse(token.value);
  } catch (error) {
    throw fail(`invalid PREPROCESSORS: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) throw fail('invalid PREPROCESSORS: expected a JSON list');
  const steps = json.map((item: unknown, i): PreprocessorStep => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw fail(`invalid PREPROCESSORS: element ${i + 1} is not an object`);
    }
    const { ColumnSet: columnSet, Transformers: transformers } = item as Record<string, unknown>;
    if (!isStringList(columnSet) || columnSet.length === 0) {
      throw fail(`invalid PREPROCESSORS: element ${i + 1} needs "ColumnSet", a non-empty list of column names`);
    }
    if (!isStringList(transformers) || transformers.length === 0) {
      throw fail(`invalid PREPROCESSORS: element ${i + 1} needs "Transformers", a non-empty list of names`);
    }
    return { columnSet, transformers: transformers.map((name) => transformerName(name, fail)) };
  });
  return { kind: 'Steps', steps, json: token.value };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Transformer names compare case-insensitively and come back spelled as Redshift spells them. */
function transformerName(name: string, fail: (message: string) => Error): TransformerName {
  const found = TRANSFORMERS.find((t) => t.toLowerCase() === name.toLowerCase());
  if (!found) throw fail(`invalid PREPROCESSORS: unknown transformer "${name}"; known: ${TRANSFORMERS.join(', ')}`);
  return found;
}

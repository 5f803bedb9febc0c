import type { FuncCall, ParseResult } from '@pgsql/types';
import type { ModelFunction } from './model-function-registry.ts';

/** A call of a model function found in a statement's parse tree. */
export interface ModelCall {
  function: ModelFunction;
  /** Byte offset of the call (its function name) in the statement, as PostgreSQL's parser gives it. */
  location: number;
  argumentCount: number;
  /** Where it stands: the chain of parse-tree keys from the statement down to the call. */
  path: string[];
}

export type FunctionLookup = (name: string) => ModelFunction[];

/** The model function a FuncCall names: by name, schema (when qualified) and number of arguments. */
export function modelFunctionOf(call: FuncCall, lookup: FunctionLookup): ModelFunction | undefined {
  const parts = (call.funcname ?? []).map((p) => ('String' in p ? (p.String.sval ?? '') : ''));
  const name = parts.at(-1) ?? '';
  const schema = parts.length > 1 ? parts.at(-2) : undefined;
  const argumentCount = call.args?.length ?? 0;
  return lookup(name).find((f) => (!schema || f.functionSchema === schema) && f.parameterTypes.length === argumentCount);
}

/**
 * Walks a libpg-query parse tree and returns every FuncCall naming a model function with a
 * matching schema (when qualified) and number of arguments.
 */
export function findModelCalls(tree: ParseResult, lookup: FunctionLookup): ModelCall[] {
  const calls: ModelCall[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, path);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'FuncCall') {
        const call = value as FuncCall;
        const match = modelFunctionOf(call, lookup);
        if (match) calls.push({ function: match, location: call.location ?? 0, argumentCount: call.args?.length ?? 0, path: [...path, key] });
      }
      walk(value, [...path, key]);
    }
  };
  walk(tree, []);
  return calls;
}

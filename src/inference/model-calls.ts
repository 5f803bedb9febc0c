import type { ParseResult } from '@pgsql/types';
import { parseSync } from 'libpg-query';
import { RelayedError } from '../session/relayed-error.ts';
import type { StatementContext } from '../session/statement-context.ts';
import { findModelCalls } from './find-model-calls.ts';
import type { InferenceDeps } from './inference-deps.ts';
import { executeWriteBack, plainInsertSelect, type PreparedWriteBack } from './insert-write-back.ts';
import { executeMaterialized, prepareMaterialized, type PreparedMaterialized } from './materialized-inference.ts';
import { inDatabaseReason, withCallsAsTheProxyMeansThem, type InDatabaseReason } from './in-database-calls.ts';
import { findScopedCalls } from './model-call-scopes.ts';
import type { ModelFunctionRegistry } from './model-function-registry.ts';
import { executeStreamed, plainSelect, prepareStreamed, streamable, type PreparedInference } from './streamed-inference.ts';

/**
 * Run as it is: not a model call after all (the name appeared only in a string, say), or calls
 * PostgreSQL evaluates itself with the functions' compiled bodies (inDatabase says why).
 */
export interface PreparedPassthrough {
  kind: 'passthrough';
  sql: string;
  inDatabase?: InDatabaseReason;
}

/** How a statement's model calls are evaluated: streamed, materialized, written back, or not at all. */
export type PreparedModelCalls = PreparedInference | PreparedPassthrough | PreparedMaterialized | PreparedWriteBack;

/**
 * Chooses how to evaluate a statement's model calls: in PostgreSQL with the compiled bodies when
 * the statement stores them, they are correlated or there are no rows (inDatabaseReason);
 * otherwise by onnxruntime in batches — streamed when each is a whole select-list item of a plain
 * SELECT (memory stays flat, rows flow as they come), written back with COPY for a plain
 * INSERT ... SELECT of that kind, materialized otherwise.
 */
export function prepareModelCalls(sql: string, registry: ModelFunctionRegistry): PreparedModelCalls {
  let tree: ParseResult;
  try {
    tree = parseSync(sql);
  } catch {
    // Not valid SQL: PostgreSQL reports the error its own way.
    return { kind: 'passthrough', sql };
  }
  const lookup = (name: string) => registry.lookup(name);
  const calls = findModelCalls(tree, lookup);
  if (calls.length === 0) return { kind: 'passthrough', sql };
  const scoped = findScopedCalls(tree, lookup);
  const inDatabase = inDatabaseReason(tree, scoped);
  // A stored statement (CREATE VIEW ...) keeps the client's text: PostgreSQL resolves it as written.
  if (inDatabase === 'stored') return { kind: 'passthrough', sql, inDatabase };
  if (inDatabase) return { kind: 'passthrough', sql: withCallsAsTheProxyMeansThem(tree, scoped) ?? sql, inDatabase };
  const stmts = tree.stmts ?? [];
  const only = stmts.length === 1 ? stmts[0].stmt : undefined;
  const insert = plainInsertSelect(only);
  if (insert) {
    const select = prepareModelCalls(insert.selectSql, registry);
    if (select.kind === 'inference') {
      const fallback = prepareMaterialized(sql, scoped);
      return { kind: 'write-back', sql, target: insert.target, columns: insert.columns, select, fallback };
    }
  }
  const select = plainSelect(only);
  if (!streamable(select, calls)) return prepareMaterialized(sql, scoped);
  return prepareStreamed(sql, select, calls);
}

/**
 * Runs a prepared statement on the client's session; its rows and command tag go to the client.
 * `describe` is false in the extended protocol, where Describe already sent the columns;
 * `resultFormats` are the client's Bind's result format codes there (none: all text).
 */
export async function executeModelCalls(
  prepared: PreparedModelCalls,
  context: StatementContext,
  deps: InferenceDeps,
  options: { params?: ReadonlyArray<string | null>; describe: boolean; resultFormats?: readonly number[] },
): Promise<void> {
  switch (prepared.kind) {
    case 'passthrough': {
      const { failed } = await context.upstream.relay(prepared.sql);
      if (failed) throw new RelayedError();
      return;
    }
    case 'write-back':
      if (await executeWriteBack(prepared, context, deps, options.params ?? [])) return;
      return executeMaterialized(prepared.fallback, context, deps, {
        params: options.params,
        extended: !options.describe,
        resultFormats: options.resultFormats,
      });
    case 'materialized':
      return executeMaterialized(prepared, context, deps, {
        params: options.params,
        extended: !options.describe,
        resultFormats: options.resultFormats,
      });
    case 'inference':
      return executeStreamed(prepared, context, deps, options);
  }
}

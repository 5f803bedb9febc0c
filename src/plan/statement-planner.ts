import { executeModelCalls, prepareModelCalls, type PreparedModelCalls } from '../inference/model-calls.ts';
import type { InferenceDeps } from '../inference/inference-deps.ts';
import { namesSqlPrepared, sqlPreparedStatement, type SqlPrepared } from '../inference/sql-prepared-statements.ts';
import { clientFields } from '../inference/streamed-inference.ts';
import type { StatementContext } from '../session/statement-context.ts';
import { firstWords, splitStatements } from '../sql/split-statements.ts';
import { runMlStatement } from '../statements/handlers/ml-statement-handlers.ts';
import { parseMlStatement } from '../statements/parser/index.ts';
import { isMlStatement } from '../statements/parser/is-ml-statement.ts';
import { RESULT_COLUMNS } from '../statements/result-columns.ts';
import { rowsInClientFormats } from '../statements/rows-in-client-formats.ts';
import type { ModelFunctionNames } from './model-function-names.ts';
import { PreparedCache } from './prepared-cache.ts';
import type { PreparedStatement } from './prepared-statement.ts';
import { qualifyRedshiftViews } from './qualify-redshift-views.ts';
import { rewriteForecastCalls } from './forecast-calls.ts';
import type { PlannedStatement, QueryPlan, StatementKind } from './statement-plan.ts';

const SQL_PREPARED_WORDS = new Set(['prepare', 'execute', 'deallocate']);

/** SQL-level prepared statements that call models, kept per client session. */
export type SqlPreparedStore = Map<string, SqlPrepared>;

/**
 * The one place that decides how a client's statement is treated (see StatementKind), and runs
 * it accordingly. Most traffic is settled by two substring tests and never split: only text that
 * mentions MODEL, a model function or a statement the session's proxy keeps is split and
 * classified statement by statement.
 */
export class StatementPlanner {
  private readonly prepared = new PreparedCache<PreparedModelCalls>();

  constructor(
    private readonly inference: InferenceDeps,
    /** The model functions' names, kept current by the registry (it is their FunctionNameSink). */
    readonly functions: ModelFunctionNames,
  ) {}

  /** A simple Query message. Redshift's SELECT FORECAST(m) and unqualified ML views are rewritten on the way. */
  planQuery(original: string, sqlPrepared: SqlPreparedStore): QueryPlan {
    const { sql, rewritten } = this.redshiftForms(original);
    const forward: QueryPlan = { kind: 'forward', sql, rewritten };
    const mayNamePrepared = sqlPrepared.size > 0 && /execute|deallocate/i.test(sql);
    if (!mayNamePrepared && this.isPassthrough(sql)) return forward;
    const statements = splitStatements(sql).map((span) => ({ ...span, kind: this.classify(span.text, sqlPrepared) }));
    if (statements.every((s) => s.kind === 'passthrough')) return forward;
    return { kind: 'intercept', sql, statements };
  }

  /**
   * A Parse message's text (qualified as planQuery does): the statement the proxy answers, or
   * null when PostgreSQL should have it (also for several statements: PostgreSQL refuses to
   * prepare those itself).
   */
  planParse(original: string): { sql: string; rewritten: boolean; statement: PlannedStatement | null } {
    const { sql, rewritten } = this.redshiftForms(original);
    const plan = { sql, rewritten, statement: null };
    if (this.isPassthrough(sql)) return plan;
    const statements = splitStatements(sql);
    if (statements.length !== 1) return plan;
    const kind = this.classify(statements[0].text, new Map());
    return kind === 'passthrough' ? plan : { ...plan, statement: { ...statements[0], kind } };
  }

  /** Redshift's forms PostgreSQL lacks, in PostgreSQL's words: SELECT FORECAST(m), the unqualified ML views. */
  private redshiftForms(original: string): { sql: string; rewritten: boolean } {
    const forecast = rewriteForecastCalls(original, this.functions);
    const qualified = qualifyRedshiftViews(forecast ?? original);
    return { sql: qualified ?? forecast ?? original, rewritten: forecast !== null || qualified !== null };
  }

  /** Runs one intercepted statement of a simple Query; it answers the client (columns, rows, tag). */
  async run(statement: PlannedStatement, context: StatementContext, sqlPrepared: SqlPreparedStore): Promise<void> {
    let text: string | null = statement.text;
    switch (statement.kind) {
      case 'ml': {
        const parsed = parseMlStatement(text);
        const describeColumns = RESULT_COLUMNS[parsed.kind];
        await runMlStatement(parsed, text, { ...context, inference: this.inference, describeColumns: describeColumns ? [...describeColumns] : null });
        return;
      }
      case 'sql-prepared':
        text = sqlPreparedStatement(text, sqlPrepared, context.send);
        if (text === null) return; // answered: PREPARE or DEALLOCATE of the proxy's own
        break;
      default:
        break; // a model call (passthrough statements are relayed before they get here)
    }
    await executeModelCalls(this.prepareModelCalls(text), context, this.inference, { describe: true });
  }

  /** prepareModelCalls, remembered for statements sent again while the model functions stay the same. */
  private prepareModelCalls(text: string): PreparedModelCalls {
    return this.prepared.get(text, this.functions.generation, () => prepareModelCalls(text, this.inference.registry));
  }

  /**
   * A statement of the extended protocol (Parse/Bind/Describe/Execute). It is prepared at Parse,
   * so its errors surface there, as in PostgreSQL; null: PostgreSQL should have it after all, as
   * the client wrote it; { forward }: PostgreSQL should have that text instead (its model calls
   * evaluated by the compiled bodies, named as the proxy means them).
   */
  prepareExtended(statement: PlannedStatement, parameterTypes: number[]): PreparedStatement | { forward: string } | null {
    if (statement.kind === 'ml') {
      const parsed = parseMlStatement(statement.text);
      const columns = RESULT_COLUMNS[parsed.kind];
      return {
        describe: async () => ({ parameterTypes: [], fields: columns ? [...columns] : null }),
        // Describe gave the columns already. Handlers answer in text; binary columns are encoded on the way.
        execute: (_params, context, formats) =>
          rowsInClientFormats(context, columns, formats, (c) =>
            runMlStatement(parsed, statement.text, { ...c, inference: this.inference, describeColumns: null }),
          ),
      };
    }
    const prepared = this.prepareModelCalls(statement.text);
    if (prepared.kind === 'passthrough') return prepared.sql === statement.text ? null : { forward: prepared.sql };
    return {
      describe: async (context) => {
        if (prepared.kind !== 'inference') {
          // The model functions exist in PostgreSQL with their real signatures: it describes the statement as is.
          return context.upstream.describe(prepared.sql, parameterTypes);
        }
        const d = await context.upstream.describe(prepared.rewritten, parameterTypes);
        return { parameterTypes: d.parameterTypes, fields: d.fields ? clientFields(prepared, d.fields) : null };
      },
      execute: (params, context, resultFormats) => executeModelCalls(prepared, context, this.inference, { params, describe: false, resultFormats }),
    };
  }

  /** True when the text can be forwarded untouched: it mentions no MODEL, no INFERENCE and no model function. */
  private isPassthrough(sql: string): boolean {
    return !/model|inference/i.test(sql) && !this.functions.mayBeCalledIn(sql);
  }

  private classify(text: string, sqlPrepared: SqlPreparedStore): StatementKind {
    if (isMlStatement(text)) return 'ml';
    if (this.functions.mayBeCalledIn(text)) return SQL_PREPARED_WORDS.has(firstWords(text, 1)[0] ?? '') ? 'sql-prepared' : 'model-call';
    if (sqlPrepared.size > 0 && namesSqlPrepared(text, sqlPrepared)) return 'sql-prepared';
    return 'passthrough';
  }
}

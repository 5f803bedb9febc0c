import type { Logger } from '../util/logger.ts';
import { ListenConnection } from '../catalog/listen-connection.ts';
import { coalescedReload } from '../catalog/coalesced-reload.ts';
import { isConnectionLost } from '../catalog/connection-loss.ts';
import { KnownVersions } from './known-versions.ts';

/** Told every model function's name after each reload (the statement planner's fast test). */
export interface FunctionNameSink {
  replaceAll(names: Iterable<string>): void;
  /** The FORECAST models: they have no function the proxy evaluates, only rows (SELECT FORECAST(m)). */
  replaceForecastModels(models: Iterable<{ schema: string; name: string }>): void;
}

/** A SQL function that evaluates a model. */
export interface ModelFunction {
  modelId: string;
  modelSchema: string;
  modelName: string;
  functionSchema: string;
  /** The name as called: f, or f_probabilities. */
  name: string;
  output: 'value' | 'probabilities';
  parameterNames: string[];
  parameterTypes: string[];
  /** PostgreSQL type of the result: the model's return type, or jsonb for probabilities. */
  returnType: string;
  problemType: string | null;
  /** f_vN evaluates version N whatever the active one; absent for f and f_probabilities. */
  pinnedVersion?: number;
  /** SET MONITORING (CAPTURE_PERCENT p): the share of predicted rows kept for drift checks. */
  capturePercent?: number;
  /**
   * The function's OID in pg_proc as of the last reload (absent when it was not found): a one-row
   * call checks the caller's EXECUTE privilege on it and its row's stamp in the calling statement
   * itself (known-versions.ts). A stale OID only sends the call the long way.
   */
  oid?: number;
}

/**
 * The model functions of the catalog, kept current by LISTEN modelgres_catalog: every catalog
 * change notifies it. The router learns the names from here; permissions and model state are
 * checked per statement on the caller's own session, never from this cache. When PostgreSQL
 * restarts, the listener connects again and the whole catalog is reloaded: the notifications sent
 * while it was away are lost.
 */
export class ModelFunctionRegistry {
  private byName = new Map<string, ModelFunction[]>();
  /** The versions one-row calls evaluated, by function and stamp (known-versions.ts). */
  readonly versions = new KnownVersions();
  private readonly listener: ListenConnection;
  /** Reloads the catalog; concurrent requests collapse into one more reload. */
  readonly reload = coalescedReload(() =>
    this.load().catch((e) => {
      // A lost connection is the listener's to report; it reloads once it is back.
      if (isConnectionLost(e)) this.log.debug('reloading model functions waits for the catalog listener', e);
      else this.log.warn('reloading model functions failed', e);
    }),
  );

  constructor(
    upstreamUrl: string,
    private readonly names: FunctionNameSink,
    private readonly log: Logger,
  ) {
    this.listener = new ListenConnection({
      url: upstreamUrl,
      channels: ['modelgres_catalog'],
      log,
      onNotification: () => void this.reload(),
      onReconnect: () => this.reload(),
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    await this.reload();
  }

  async stop(): Promise<void> {
    await this.listener.stop();
  }

  lookup(name: string): ModelFunction[] {
    return this.byName.get(name) ?? [];
  }

  private async load(): Promise<void> {
    // On the listening connection: a change committed after this snapshot is notified after it.
    // While it reconnects there is nothing to read from; the reconnection reloads.
    const client = this.listener.client;
    if (!client) return;
    const r = await client.query(
      `SELECT m.model_id::text, m.schema_name, m.model_name, m.function_schema, m.function_name, m.parameter_names,
              m.parameter_types, m.return_type, m.problem_type,
              array(SELECT v.version FROM modelgres.model_version v WHERE v.model_id = m.model_id AND v.state = 'READY' ORDER BY v.version) AS ready,
              array(SELECT to_regprocedure(format('%I.%I(%s)', m.function_schema, m.function_name || '_v' || v.version, array_to_string(m.parameter_types, ',')))::oid::text
                      FROM modelgres.model_version v WHERE v.model_id = m.model_id AND v.state = 'READY' ORDER BY v.version) AS ready_oids,
              to_regprocedure(format('%I.%I(%s)', m.function_schema, m.function_name, array_to_string(m.parameter_types, ',')))::oid::text AS oid,
              to_regprocedure(format('%I.%I(%s)', m.function_schema, m.function_name || '_probabilities', array_to_string(m.parameter_types, ',')))::oid::text
                AS probabilities_oid,
              (m.monitoring->>'capturePercent')::float8 AS capture_percent
         FROM modelgres.model m`,
    );
    const oid = (value: unknown) => (value === null || value === undefined ? undefined : Number(value));
    const byName = new Map<string, ModelFunction[]>();
    const add = (f: ModelFunction) => byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
    const forecasts: Array<{ schema: string; name: string }> = [];
    for (const row of r.rows) {
      if (row.problem_type === 'FORECAST') {
        forecasts.push({ schema: row.schema_name, name: row.model_name });
        continue;
      }
      const base = {
        modelId: row.model_id,
        modelSchema: row.schema_name,
        modelName: row.model_name,
        functionSchema: row.function_schema,
        parameterNames: row.parameter_names,
        parameterTypes: row.parameter_types,
        problemType: row.problem_type,
        capturePercent: row.capture_percent ?? undefined,
      };
      add({ ...base, name: row.function_name, output: 'value', returnType: row.return_type, oid: oid(row.oid) });
      (row.ready as number[]).forEach((version, k) => {
        const pinned = { name: `${row.function_name}_v${version}`, pinnedVersion: version, oid: oid(row.ready_oids[k]) };
        add({ ...base, ...pinned, output: 'value', returnType: row.return_type });
      });
      if (row.problem_type === 'BINARY_CLASSIFICATION' || row.problem_type === 'MULTICLASS_CLASSIFICATION') {
        add({ ...base, name: `${row.function_name}_probabilities`, output: 'probabilities', returnType: 'jsonb', oid: oid(row.probabilities_oid) });
      }
    }
    this.byName = byName;
    this.names.replaceAll(byName.keys());
    this.names.replaceForecastModels(forecasts);
  }
}

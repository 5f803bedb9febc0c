import type { ForecastModelNames } from './forecast-calls.ts';

/**
 * The names of the SQL functions that call models, as the router sees them. A statement that
 * mentions none of them (and no ML keyword) is passed through without being split or parsed.
 */
export class ModelFunctionNames implements ForecastModelNames {
  private names = new Set<string>();
  /** FORECAST models by name and by schema.name: SELECT FORECAST(m) is rewritten for these. */
  private forecasts = new Set<string>();
  private pattern: RegExp | null = null;
  /** Counts the reloads: whatever was planned with older names is stale. */
  generation = 0;

  replaceAll(names: Iterable<string>): void {
    this.generation++;
    this.names = new Set([...names].map((n) => n.toLowerCase()));
    this.pattern = this.names.size
      ? new RegExp(`(?:^|[^a-z0-9_$])(?:${[...this.names].map(escapeRegExp).join('|')})\\s*\\(`, 'i')
      : null;
  }

  replaceForecastModels(models: Iterable<{ schema: string; name: string }>): void {
    this.generation++;
    this.forecasts = new Set([...models].flatMap((m) => [m.name, `${m.schema}.${m.name}`]));
  }

  isForecastModel(name: { schema?: string; name: string }): boolean {
    return this.forecasts.has(name.schema === undefined ? name.name : `${name.schema}.${name.name}`);
  }

  get size(): number {
    return this.names.size;
  }

  /** A fast, conservative test: true when the text may call a model function. */
  mayBeCalledIn(sql: string): boolean {
    return this.pattern !== null && this.pattern.test(sql);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { quoteIdent } from '../sql/identifiers.ts';
import type { Baseline } from './baseline.ts';

/**
 * A query over the captured calls of a model that gives each feature back in its own type, so
 * drift is measured on captured data exactly as on the training data. Captured inputs are what
 * the model received: dates and times as epoch seconds, booleans as t/f.
 */
export function capturedSource(modelId: string, baseline: Baseline, since?: string): string {
  const columns = baseline.features.map((f) => `${restore(`c.inputs->>${literal(f.feature)}`, f.type)} AS ${quoteIdent(f.feature)}`);
  const when = since === undefined ? '' : ` AND c.captured_at >= ${literal(since)}::timestamptz`;
  return `SELECT ${columns.join(', ')} FROM modelgres.model_captures c WHERE c.model_id = ${Number(modelId)}${when}`;
}

function restore(text: string, type: string): string {
  switch (type) {
    case 'date':
      return `(to_timestamp((${text})::float8) AT TIME ZONE 'UTC')::date`;
    case 'timestamp':
      return `(to_timestamp((${text})::float8) AT TIME ZONE 'UTC')`;
    case 'timestamptz':
      return `to_timestamp((${text})::float8)`;
    case 'time':
      return `(time '00:00' + make_interval(secs => (${text})::float8))`;
    default:
      return `(${text})::${type}`;
  }
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

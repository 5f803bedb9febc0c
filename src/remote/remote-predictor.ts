import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { csvFirstFields, csvRows } from './csv.ts';
import { endpointUrl, type RemoteEndpoints } from './endpoints.ts';
import { invokeEndpoint } from './invoke-endpoint.ts';
import type { RemotePlan } from './remote-plan.ts';

/** Requests of one batch in flight at once, per call. */
export const REQUESTS_IN_FLIGHT = 4;

/**
 * Predicts with a remote model: rows go to its endpoint MAX_BATCH_ROWS at a time, up to
 * REQUESTS_IN_FLIGHT requests at once, and the answers are put back in row order.
 */
export class RemotePredictor {
  constructor(
    private readonly plan: RemotePlan,
    private readonly endpoints: RemoteEndpoints,
  ) {}

  /**
   * `args[j][i]`: PostgreSQL's text of argument j of row i (null for NULL). Returns each row's
   * result as text. An aborted `signal` (the statement was cancelled) aborts the requests in flight.
   */
  async predict(args: ReadonlyArray<ReadonlyArray<string | null>>, rows: number, returnType: string, signal?: AbortSignal): Promise<Array<string | null>> {
    const { endpoint, targetModel, maxBatchRows } = this.plan;
    const url = await endpointUrl(this.endpoints, endpoint);
    const results: Array<string | null> = new Array(rows);
    // One failed request ends the others in flight, and no more are sent.
    const failed = new AbortController();
    const requestSignal = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
    let next = 0;
    const worker = async () => {
      while (next < rows && !requestSignal.aborted) {
        const from = next;
        const to = Math.min(rows, from + maxBatchRows);
        next = to;
        const body = await invokeEndpoint({ name: endpoint, url, targetModel, csv: csvRows(args, from, to), timeoutMs: this.endpoints.timeoutMs, signal: requestSignal });
        const values = answerValues(endpoint, body);
        if (values.length !== to - from) {
          throw new ClientError(SqlState.ioError, `remote endpoint "${endpoint}" answered ${values.length} values for ${to - from} rows`, {
            hint: 'A SageMaker CSV endpoint answers one value a line, one line per row it was sent.',
          });
        }
        for (let i = from; i < to; i++) results[i] = asResult(endpoint, values[i - from], returnType, i + 1);
      }
    };
    const guarded = () =>
      worker().catch((error: unknown) => {
        failed.abort();
        throw error;
      });
    await Promise.all(Array.from({ length: Math.min(REQUESTS_IN_FLIGHT, Math.ceil(rows / maxBatchRows)) }, guarded));
    return results;
  }
}

function answerValues(endpoint: string, body: string): string[] {
  try {
    return csvFirstFields(body);
  } catch (error) {
    throw new ClientError(SqlState.ioError, `remote endpoint "${endpoint}" answered text that is not CSV: ${(error as Error).message}`);
  }
}

const FLOAT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$|^\s*[-+]?(nan|inf|infinity)\s*$/i;
const INTEGER = /^\s*[-+]?\d+\s*$/;
const INTEGER_TYPES = new Set(['int2', 'int4', 'int8']);
const FLOAT_TYPES = new Set(['float4', 'float8', 'numeric']);

/**
 * One answer value as PostgreSQL text of the return type: an empty value is NULL (except for
 * text), a number must be a number, a bool is true/false/1/0. Anything else is 22P02 naming the
 * endpoint and the row, so a bad answer never reaches the client as a wrongly typed value.
 */
function asResult(endpoint: string, value: string, returnType: string, row: number): string | null {
  const text = returnType === 'text' || returnType === 'varchar' || returnType === 'bpchar';
  if (text) return value;
  const v = value.trim();
  if (v === '') return null;
  if (returnType === 'bool') {
    const b = v.toLowerCase();
    if (b === 'true' || b === '1' || b === 't') return 't';
    if (b === 'false' || b === '0' || b === 'f') return 'f';
  } else if (INTEGER_TYPES.has(returnType) ? INTEGER.test(v) : FLOAT_TYPES.has(returnType) ? FLOAT.test(v) : true) {
    if (/^[-+]?inf$/i.test(v)) return v.startsWith('-') ? '-Infinity' : 'Infinity';
    return v;
  }
  throw new ClientError(SqlState.invalidTextRepresentation, `remote endpoint "${endpoint}" answered ${JSON.stringify(value)} for row ${row}, which is not a ${returnType}`);
}

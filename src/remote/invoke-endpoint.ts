import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/** Attempts of one request: a 5xx, a timeout or a failed connection is tried again, twice. */
export const ATTEMPTS = 3;
const FIRST_BACKOFF_MS = 100;

interface Failure {
  /** What went wrong, for the message: "answered HTTP 503", "did not answer within 30000 ms". */
  what: string;
  status: number | null;
  body?: string;
  retry: boolean;
}

/**
 * POSTs one batch (text/csv) to an endpoint and returns the answer's text. Errors name the
 * endpoint and the HTTP status (58030 io_error: the trouble is outside PostgreSQL and modelgres).
 */
export async function invokeEndpoint(name: string, url: string, csv: string, timeoutMs: number): Promise<string> {
  let failure: Failure | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF_MS * 2 ** (attempt - 2)));
    const result = await attemptOnce(url, csv, timeoutMs);
    if (typeof result === 'string') return result;
    failure = result;
    if (!failure.retry) break;
  }
  const f = failure!;
  const tries = f.retry ? `, after ${ATTEMPTS} attempts` : '';
  throw new ClientError(SqlState.ioError, `remote endpoint "${name}" ${f.what}${tries}`, {
    detail: f.body ? `The endpoint answered: ${f.body.slice(0, 500)}` : undefined,
    hint:
      f.status !== null && f.status < 500
        ? 'The endpoint refused the request: check that it takes text/csv rows of the function\'s parameters.'
        : `Check that the endpoint is up at the URL given by --endpoint ${name}=URL.`,
  });
}

async function attemptOnce(url: string, csv: string, timeoutMs: number): Promise<string | Failure> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      body: csv,
      signal,
    });
    const body = await response.text();
    if (response.ok) return body;
    return { what: `answered HTTP ${response.status}`, status: response.status, body, retry: response.status >= 500 };
  } catch (error) {
    if (signal.aborted) return { what: `did not answer within ${timeoutMs} ms (no HTTP status)`, status: null, retry: true };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { what: `could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message}; no HTTP status)`, status: null, retry: true };
  }
}

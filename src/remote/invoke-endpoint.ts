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

/** SageMaker's header naming the model of a multi-model endpoint (InvokeEndpoint's TargetModel). */
export const TARGET_MODEL_HEADER = 'x-amzn-sagemaker-target-model';

/** One request: where it goes, its rows, and what may cut it short. */
export interface EndpointRequest {
  /** The endpoint's name, for errors. */
  name: string;
  url: string;
  targetModel?: string;
  csv: string;
  timeoutMs: number;
  /** The statement's: a cancelled statement aborts its requests in flight (57014). */
  signal?: AbortSignal;
}

/**
 * POSTs one batch (text/csv) to an endpoint and returns the answer's text. Errors name the
 * endpoint and the HTTP status (58030 io_error: the trouble is outside PostgreSQL and modelgres).
 */
export async function invokeEndpoint(request: EndpointRequest): Promise<string> {
  const { name } = request;
  let failure: Failure | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await backoff(FIRST_BACKOFF_MS * 2 ** (attempt - 2), request.signal);
    const result = await attemptOnce(request);
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

/** A cancelled statement: what PostgreSQL answers when a query is cancelled. */
function canceled(): ClientError {
  return new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
}

/** Waits before a retry; a cancel ends the wait at once. */
function backoff(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(canceled());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(canceled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function attemptOnce(request: EndpointRequest): Promise<string | Failure> {
  const { url, csv, timeoutMs, targetModel } = request;
  if (request.signal?.aborted) throw canceled();
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  const headers: Record<string, string> = { 'content-type': 'text/csv', accept: 'text/csv' };
  if (targetModel !== undefined) headers[TARGET_MODEL_HEADER] = targetModel;
  try {
    const response = await fetch(url, { method: 'POST', headers, body: csv, signal });
    const body = await response.text();
    if (response.ok) return body;
    return { what: `answered HTTP ${response.status}`, status: response.status, body, retry: response.status >= 500 };
  } catch (error) {
    if (request.signal?.aborted) throw canceled();
    if (timeout.aborted) return { what: `did not answer within ${timeoutMs} ms (no HTTP status)`, status: null, retry: true };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { what: `could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message}; no HTTP status)`, status: null, retry: true };
  }
}

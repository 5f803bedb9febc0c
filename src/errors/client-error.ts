import { SqlState } from './sqlstate.ts';

export interface ClientErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text, so psql draws its caret. */
  position?: number;
  severity?: 'ERROR' | 'FATAL';
}

/**
 * The one error type whose text reaches the client, as an ErrorResponse with a real SQLSTATE.
 * Any other thrown value is logged and answered with a generic internal error.
 */
export class ClientError extends Error {
  readonly code: string;
  readonly detail?: string;
  readonly hint?: string;
  position?: number;
  readonly severity: 'ERROR' | 'FATAL';
  /** Position PostgreSQL reported in SQL the proxy wrote itself (never sent to the client as is). */
  upstreamPosition?: number;

  constructor(code: string, message: string, fields: ClientErrorFields = {}) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.severity = fields.severity ?? 'ERROR';
  }
}

export function notSupported(message: string, hint?: string): ClientError {
  return new ClientError(SqlState.featureNotSupported, message, { hint });
}

export function isClientError(value: unknown): value is ClientError {
  return value instanceof ClientError;
}

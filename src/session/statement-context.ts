import type { FieldDescription } from '../protocol/backend-messages.ts';
import type { RemoteEndpoints } from '../remote/endpoints.ts';
import type { UpstreamSession } from './upstream-session.ts';

/** Settings of the proxy that statements depend on. */
export interface ProxySettings {
  /** Where CREATE MODEL ... FROM 'file.onnx' finds files; paths cannot leave it. */
  modelDir: string;
  /** Largest ONNX file CREATE MODEL imports. */
  maxModelBytes: number;
  /** Remote models' endpoints (--endpoint name=URL); none when absent. */
  remoteEndpoints?: RemoteEndpoints;
  /** SHOW MODEL ... DRIFT FROM reads a random sample of about this many rows of a source with more than twice as many; 0 reads every row (default 1,000,000). */
  driftSampleRows?: number;
}

/** What a statement gets: the client's own upstream session and a way to answer. */
export interface StatementContext {
  readonly user: string;
  readonly database: string;
  readonly settings: ProxySettings;
  /** Runs SQL on the client's upstream session, as its role, inside its transaction. */
  readonly upstream: UpstreamSession;
  /** Sends a backend message to the client. */
  send(message: Buffer): void;
  /**
   * Tells the proxy a statement changed the catalog and has committed, so the model functions
   * the router knows are current before the client's next statement.
   */
  catalogChanged(): Promise<void>;
  /** Aborted when the client cancels or goes away. */
  readonly signal: AbortSignal;
  /**
   * In the extended protocol, the columns an earlier Describe gave the client for the statement
   * now executed (Describe is answered once per statement, as PostgreSQL fixes them at Parse): a
   * statement whose columns have changed since fails, as PostgreSQL's cached plan does.
   */
  readonly describedColumns?: readonly FieldDescription[];
}

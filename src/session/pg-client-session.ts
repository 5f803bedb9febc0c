import { pipeline as pipe } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { FieldDescription } from '../protocol/backend-messages.ts';
import type { TransactionStatus } from '../protocol/message-codes.ts';
import type {
  BatchHandler,
  PipelinedStatement,
  QueryResult,
  RawQueryResult,
  StreamResult,
  UpstreamSession,
} from './upstream-session.ts';

/**
 * A pg connection as an UpstreamSession, for background work (scheduled drift checks, retraining
 * on drift) that acts as a model's owner. Values stay PostgreSQL's text and errors become
 * ClientErrors with PostgreSQL's SQLSTATE, exactly as on a client's own session; nothing is
 * relayed, since no client is listening.
 */
export class PgClientSession implements UpstreamSession {
  constructor(private readonly client: pg.ClientBase) {}

  transactionStatus(): TransactionStatus {
    // As of the connection's last ReadyForQuery; null before the first one.
    return this.client.getTransactionStatus() ?? 'I';
  }

  /** `parameterTypes` are left to PostgreSQL to infer: pg sends none. */
  async query(sql: string, params: ReadonlyArray<string | null> = []): Promise<QueryResult> {
    let r: pg.QueryArrayResult<Array<string | null>>;
    try {
      r = await this.client.query({
        text: sql,
        values: params as unknown[],
        rowMode: 'array',
        // Every value as PostgreSQL's text, as the wire link gives them.
        types: { getTypeParser: () => (value: string) => value },
      } as pg.QueryArrayConfig);
    } catch (error) {
      throw asClientError(error);
    }
    return { fields: r.fields.map(fieldOf), rows: r.rows, command: commandTag(r) };
  }

  async queryRaw(sql: string, params: ReadonlyArray<string | null> = []): Promise<RawQueryResult> {
    const r = await this.query(sql, params);
    return { fields: r.fields, rows: r.rows.map(dataRowBody), command: r.command };
  }

  /** In order, stopping at the first error; outside a transaction the statements commit together. */
  async pipeline(statements: ReadonlyArray<PipelinedStatement>): Promise<RawQueryResult[]> {
    const run = async () => {
      const results: RawQueryResult[] = [];
      for (const s of statements) results.push(await this.queryRaw(s.sql, s.params ?? []));
      return results;
    };
    if (statements.length < 2 || this.transactionStatus() !== 'I') return run();
    await this.query('BEGIN');
    try {
      const results = await run();
      await this.query('COMMIT');
      return results;
    } catch (error) {
      await this.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /** Background work reads modest results: the rows are read whole, then handed on in batches. */
  async stream(statements: ReadonlyArray<PipelinedStatement>, batchRows: number, onBatch: BatchHandler): Promise<StreamResult> {
    const results = await this.pipeline(statements);
    const earlier = results.slice(0, -1);
    const last = results[results.length - 1];
    for (let i = 0; i < last.rows.length; i += batchRows) {
      await onBatch({ fields: last.fields, rows: last.rows.slice(i, i + batchRows), command: '' }, earlier);
    }
    return { earlier, last: { ...last, rows: [] } };
  }

  async describe(): Promise<{ parameterTypes: number[]; fields: FieldDescription[] | null }> {
    throw new ClientError(SqlState.featureNotSupported, 'describing a statement needs a client session');
  }

  async copyOut(copySql: string, onRow: (line: string) => void): Promise<number> {
    let rows = 0;
    let partial = '';
    const lines = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          rows++;
          onRow(line);
        }
        done();
      },
    });
    try {
      await pipe(this.client.query(copyTo(copySql)), lines);
    } catch (error) {
      throw asClientError(error);
    }
    return rows;
  }

  async copyIn(copySql: string, data: Buffer): Promise<void> {
    const stream = this.client.query(copyFrom(copySql));
    try {
      await new Promise<void>((resolve, reject) => {
        stream.on('finish', resolve);
        stream.on('error', reject);
        stream.end(data);
      });
    } catch (error) {
      throw asClientError(error);
    }
  }

  async relay(sql: string): Promise<{ failed: boolean }> {
    await this.query(sql);
    return { failed: false };
  }

  async relayExtended(sql: string, params: ReadonlyArray<string | null>): Promise<{ failed: boolean }> {
    await this.query(sql, params);
    return { failed: false };
  }

  async abortTransaction(): Promise<void> {
    await this.client
      .query("DO $modelgres$ BEGIN RAISE EXCEPTION USING ERRCODE = 'XX000', MESSAGE = 'modelgres: statement failed'; END $modelgres$")
      .catch(() => {});
  }
}

function fieldOf(f: pg.FieldDef): FieldDescription {
  return { name: f.name, typeOid: f.dataTypeID, tableOid: f.tableID, columnNumber: f.columnID, typeModifier: f.dataTypeModifier };
}

function commandTag(r: pg.QueryResultBase): string {
  if (r.command === 'INSERT') return `INSERT 0 ${r.rowCount ?? 0}`;
  return r.rowCount === null ? r.command : `${r.command} ${r.rowCount}`;
}

/** A DataRow body: int16 column count, then each value as int32 length (-1 for NULL) and bytes. */
function dataRowBody(values: Array<string | null>): Buffer {
  const encoded = values.map((v) => (v === null ? null : Buffer.from(v, 'utf8')));
  const body = Buffer.alloc(2 + encoded.reduce((n, v) => n + 4 + (v?.length ?? 0), 0));
  body.writeInt16BE(values.length, 0);
  let at = 2;
  for (const v of encoded) {
    body.writeInt32BE(v === null ? -1 : v.length, at);
    at += 4;
    if (v) at += v.copy(body, at);
  }
  return body;
}

/** pg's DatabaseError carries PostgreSQL's fields; they become the ClientError the client would see. */
function asClientError(error: unknown): unknown {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== 'string') return error;
  const e = error as Error & { code: string; detail?: string; hint?: string };
  if (!/^[0-9A-Z]{5}$/.test(e.code)) return error;
  return new ClientError(e.code, e.message, { detail: e.detail, hint: e.hint });
}

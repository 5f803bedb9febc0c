import { serialize } from 'pg-protocol';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { FieldDescription } from '../protocol/backend-messages.ts';
import { bindMessage } from '../protocol/bind-message.ts';
import { Backend, type TransactionStatus } from '../protocol/message-codes.ts';
import {
  decodeCommandTag,
  decodeErrorFields,
  decodeRowDescription,
  decodeTextRow,
  decodeTransactionStatus,
  type ErrorFields,
} from '../protocol/decode-backend.ts';
import type {
  BatchHandler,
  PipelinedStatement,
  QueryResult,
  RawQueryResult,
  StreamResult,
  UpstreamSession,
} from './upstream-session.ts';

/** Receives each whole upstream message while the proxy owns the exchange; true ends it. */
export type OwnedConsumer = (type: number, body: Buffer, raw: Buffer) => boolean;

/** What the session lends the link: a way to write upstream and to take over its answers. */
export interface UpstreamPort {
  writeUpstream(bytes: Buffer): void;
  /** Installs a consumer for upstream messages until it returns true. */
  own(consumer: OwnedConsumer, onClose: (error: Error) => void): void;
  /** Passes a message to the client as it came. */
  writeClient(bytes: Buffer): void;
  setTransactionStatus(status: TransactionStatus): void;
  transactionStatus(): TransactionStatus;
  /** The upstream answered a Sync of the proxy's own: it is idle, outside any extended-protocol group. */
  upstreamReady(): void;
  /** Stops reading the upstream after the current message, until releaseUpstream. */
  holdUpstream(): void;
  releaseUpstream(): void;
}

/**
 * A statement kept prepared upstream: its name, its columns as last described for the result
 * formats `formats` (a Describe is then not needed), and then the Bind and Execute of a call
 * without parameters in those formats.
 */
interface KeptStatement {
  name: string;
  formats: string;
  fields: FieldDescription[] | null;
  run: Buffer | null;
}

/** Statements a link keeps prepared upstream at most (PipelinedStatement's `keep`). */
const KEPT_STATEMENTS = 16;

/** invalid_sql_statement_name: a Bind of a statement that does not exist. */
const INVALID_SQL_STATEMENT_NAME = '26000';

/**
 * Statements the proxy runs on the client's own upstream session: same role, same transaction.
 * Only used when the upstream has answered everything the client sent before.
 */
export class UpstreamLink implements UpstreamSession {
  constructor(private readonly port: UpstreamPort) {}

  /** Statements kept prepared upstream, by text, most recently used last. */
  private readonly kept = new Map<string, KeptStatement>();
  private keptCount = 0;
  /** Names to Close with the next exchange: evicted, or parsed in an exchange that failed. */
  private toClose: string[] = [];

  /**
   * The client's DEALLOCATE ALL or DISCARD ALL may have dropped the kept statements: they are
   * parsed again when next used (their names are new, so none can clash with a survivor).
   */
  forgetKept(): void {
    this.kept.clear();
  }

  /** Whether any statement is kept: only then does the client's text need watching for DEALLOCATE or DISCARD. */
  keepsStatements(): boolean {
    return this.kept.size > 0;
  }

  /**
   * Parse (unless kept), Bind, Describe (unless kept and described for these result formats) and
   * Execute of each statement, then one Sync, after a Close of each name left to close. `fields`:
   * the columns of each statement not described this time. `done` records what the exchange
   * taught once it has succeeded (or leaves the names parsed in it to close when it failed).
   */
  private pipelineBytes(statements: ReadonlyArray<PipelinedStatement>): {
    bytes: Buffer;
    fields: Array<FieldDescription[] | null>;
    done(ok: boolean, results?: readonly RawQueryResult[]): void;
  } {
    const parts: Buffer[] = this.toClose.map((name) => serialize.close({ type: 'S', name }));
    this.toClose = [];
    const parsed: Array<{ sql: string; name: string }> = [];
    const described: Array<{ at: number; sql: string; formats: string }> = [];
    const fields = statements.map((s, at) => {
      let name = '';
      let known: FieldDescription[] | null = null;
      const formats = (s.resultFormats ?? []).join(',');
      if (s.keep) {
        const kept = this.kept.get(s.sql);
        if (kept) {
          this.kept.delete(s.sql);
          this.kept.set(s.sql, kept);
          name = kept.name;
          if (kept.formats === formats) known = kept.fields;
          if (known && !s.params?.length) {
            // A one-row call sends the same Bind and Execute every time: made once.
            kept.run ??= Buffer.concat([bindMessage({ statement: name, resultFormats: s.resultFormats }), serialize.execute()]);
            parts.push(kept.run);
            return known;
          }
        } else {
          name = `modelgres_kept_${++this.keptCount}`;
          parsed.push({ sql: s.sql, name });
          parts.push(serialize.parse({ name, text: s.sql, types: s.parameterTypes ?? [] }));
        }
        if (!known) described.push({ at, sql: s.sql, formats });
      } else {
        parts.push(serialize.parse({ text: s.sql, types: s.parameterTypes ?? [] }));
      }
      parts.push(
        s.resultFormats?.length
          ? bindMessage({ statement: name, values: s.params, resultFormats: s.resultFormats })
          : serialize.bind({ statement: name, values: (s.params ?? []) as Array<string | null> }),
      );
      if (!known) parts.push(serialize.describe({ type: 'P' }));
      parts.push(serialize.execute());
      return known;
    });
    parts.push(serialize.sync());
    return {
      bytes: Buffer.concat(parts),
      fields,
      done: (ok, results) => {
        if (!ok) {
          for (const { name } of parsed) this.toClose.push(name);
          return;
        }
        for (const { sql, name } of parsed) {
          this.kept.set(sql, { name, formats: '', fields: null, run: null });
          if (this.kept.size > KEPT_STATEMENTS) {
            const [oldest, old] = this.kept.entries().next().value!;
            this.kept.delete(oldest);
            this.toClose.push(old.name);
          }
        }
        for (const { at, sql, formats } of described) {
          const kept = this.kept.get(sql);
          if (kept && results) Object.assign(kept, { formats, fields: results[at].fields, run: null });
        }
      },
    };
  }

  transactionStatus(): TransactionStatus {
    return this.port.transactionStatus();
  }

  /** Keeps ReadyForQuery's status; true, so an exchange consumer can return it to end there. */
  private readyForQuery(body: Buffer): true {
    this.port.setTransactionStatus(decodeTransactionStatus(body));
    this.port.upstreamReady();
    return true;
  }

  /** An exchange is under way: its answers are still arriving. */
  private busy = false;

  /**
   * Sends bytes and hands every answer to `consumer` until it returns true. One exchange at a
   * time: a second one started meanwhile would take the first one's answers, so it is refused.
   */
  exchange(bytes: Buffer, consumer: OwnedConsumer, options: { notices?: boolean } = {}): Promise<void> {
    if (this.busy) return Promise.reject(new Error('modelgres started an upstream exchange while another was under way'));
    this.busy = true;
    return new Promise<void>((resolve, reject) => {
      this.port.own(
        (type, body, raw) => {
          const notice = type === Backend.NoticeResponse && !options.notices;
          if (notice || type === Backend.NotificationResponse || type === Backend.ParameterStatus) {
            this.port.writeClient(raw);
            return false;
          }
          let done: boolean;
          try {
            done = consumer(type, body, raw);
          } catch (error) {
            reject(error);
            return true;
          }
          if (done) resolve();
          return done;
        },
        reject,
      );
      this.port.writeUpstream(bytes);
    }).finally(() => {
      this.busy = false;
    });
  }

  /**
   * An exchange that ends with ReadyForQuery (whose status the session keeps). Every other message
   * goes to `onMessage`; an ErrorResponse is thrown as PostgreSQL's own error once the exchange ends.
   */
  private async untilReady(bytes: Buffer, onMessage: (type: number, body: Buffer) => void): Promise<void> {
    let error: ErrorFields | null = null;
    await this.exchange(bytes, (type, body) => {
      if (type === Backend.ReadyForQuery) return this.readyForQuery(body);
      if (type === Backend.ErrorResponse) error = decodeErrorFields(body);
      else onMessage(type, body);
      return false;
    });
    if (error) {
      // A kept statement is gone after all (a DEALLOCATE the proxy did not see): parse them again.
      if ((error as ErrorFields).C === INVALID_SQL_STATEMENT_NAME) this.forgetKept();
      throw upstreamError(error);
    }
  }

  /**
   * Runs one statement with text parameters (extended protocol, so values never need quoting).
   * An upstream error becomes a ClientError carrying PostgreSQL's own SQLSTATE and text.
   */
  async query(sql: string, params: ReadonlyArray<string | null> = [], parameterTypes: number[] = []): Promise<QueryResult> {
    const raw = await this.queryRaw(sql, params, parameterTypes);
    return {
      fields: raw.fields,
      rows: raw.rows.map(decodeTextRow),
      command: raw.command,
    };
  }

  /**
   * Several statements in one round trip: each is parsed, bound and executed, with one Sync at the
   * end. PostgreSQL runs them in order and skips the rest after an error, which is thrown.
   */
  async pipeline(statements: ReadonlyArray<PipelinedStatement>): Promise<RawQueryResult[]> {
    const exchange = this.pipelineBytes(statements);
    const results: RawQueryResult[] = statements.map((_, i) => ({ fields: exchange.fields[i] ?? [], rows: [], command: '' }));
    let current = 0;
    await this.untilReady(exchange.bytes, (type, body) => {
      if (type === Backend.RowDescription) results[current].fields = decodeRowDescription(body);
      else if (type === Backend.DataRow) results[current].rows.push(body);
      else if (type === Backend.CommandComplete || type === Backend.EmptyQueryResponse) {
        results[current++].command = type === Backend.CommandComplete ? decodeCommandTag(body) : '';
      }
    }).then(
      () => exchange.done(true, results),
      (error: unknown) => {
        exchange.done(false);
        throw error;
      },
    );
    return results;
  }

  async stream(statements: ReadonlyArray<PipelinedStatement>, batchRows: number, onBatch: BatchHandler): Promise<StreamResult> {
    const exchange = this.pipelineBytes(statements);
    const results: RawQueryResult[] = statements.map((_, i) => ({ fields: exchange.fields[i] ?? [], rows: [], command: '' }));
    const last = statements.length - 1;
    let current = 0;
    let batch: Buffer[] = [];
    // Batches are handled one after another; while one waits its turn the upstream is held.
    let chain: Promise<void> = Promise.resolve();
    let waiting = 0;
    let held = false;
    let failure: { error: unknown } | null = null;
    const handOff = () => {
      const rows = batch;
      batch = [];
      waiting++;
      chain = chain
        .then(() => (failure ? undefined : onBatch({ fields: results[last].fields, rows, command: '' }, results.slice(0, last))))
        // The first failure stops the handling; the rest of the rows are read and dropped.
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          waiting--;
          if (held && waiting < 2) {
            held = false;
            this.port.releaseUpstream();
          }
        });
      if (waiting >= 2 && !held) {
        held = true;
        this.port.holdUpstream();
      }
    };
    await this.untilReady(exchange.bytes, (type, body) => {
      if (type === Backend.DataRow && current === last) {
        batch.push(body);
        if (batch.length >= batchRows) handOff();
      } else if (type === Backend.RowDescription) {
        results[current].fields = decodeRowDescription(body);
      } else if (type === Backend.DataRow) {
        results[current].rows.push(body);
      } else if (type === Backend.CommandComplete || type === Backend.EmptyQueryResponse) {
        if (current === last && batch.length > 0) handOff();
        results[current++].command = type === Backend.CommandComplete ? decodeCommandTag(body) : '';
      }
    }).then(
      () => exchange.done(true, results),
      async (error: unknown) => {
        exchange.done(false);
        // PostgreSQL's error comes after the rows it sent: those are handled first, as they came.
        if (batch.length > 0) handOff();
        await chain;
        throw error;
      },
    );
    await chain;
    if (failure) throw (failure as { error: unknown }).error;
    return { earlier: results.slice(0, last), last: results[last] };
  }

  /** Like query, with each row's DataRow body as it came. */
  async queryRaw(sql: string, params: ReadonlyArray<string | null> = [], parameterTypes: number[] = []): Promise<RawQueryResult> {
    return (await this.pipeline([{ sql, params, parameterTypes }]))[0];
  }

  /** What PostgreSQL says a statement takes and returns, without running it. */
  async describe(sql: string, parameterTypes: number[] = []): Promise<{ parameterTypes: number[]; fields: FieldDescription[] | null }> {
    const bytes = Buffer.concat([
      serialize.parse({ text: sql, types: parameterTypes }),
      serialize.describe({ type: 'S' }),
      serialize.sync(),
    ]);
    const result: { parameterTypes: number[]; fields: FieldDescription[] | null } = { parameterTypes: [], fields: null };
    await this.untilReady(bytes, (type, body) => {
      if (type === Backend.ParameterDescription) {
        const count = body.readInt16BE(0);
        for (let i = 0; i < count; i++) result.parameterTypes.push(body.readInt32BE(2 + 4 * i));
      } else if (type === Backend.RowDescription) {
        result.fields = decodeRowDescription(body);
      }
    });
    return result;
  }

  /**
   * PostgreSQL's text of values the client sent in binary, for types the proxy does not decode
   * itself: each is bound in binary as its type and cast to text, in one statement.
   */
  async textOfBinary(values: ReadonlyArray<{ typeOid: number; bytes: Buffer }>): Promise<string[]> {
    if (values.length === 0) return [];
    const bytes = Buffer.concat([
      serialize.parse({ text: `SELECT ${values.map((_, i) => `$${i + 1}::text`).join(', ')}`, types: values.map((v) => v.typeOid) }),
      bindMessage({ values: values.map((v) => v.bytes) }),
      serialize.execute(),
      serialize.sync(),
    ]);
    let texts: string[] = [];
    await this.untilReady(bytes, (type, body) => {
      if (type === Backend.DataRow) texts = decodeTextRow(body).map((v) => v ?? '');
    });
    return texts;
  }

  /**
   * Runs COPY ... TO STDOUT on the client's session and hands each data row (text format, without
   * its newline) to `onRow`. Returns the number of rows. PostgreSQL checks the role's privileges.
   */
  async copyOut(copySql: string, onRow: (line: string) => void): Promise<number> {
    let rows = 0;
    let partial = '';
    await this.untilReady(serialize.query(copySql), (type, body) => {
      if (type !== Backend.CopyData) return;
      // Each CopyData carries one row in practice; a row split over several is joined here.
      const lines = (partial + body.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        rows++;
        onRow(line);
      }
    });
    return rows;
  }

  /** COPY ... FROM STDIN of one block of COPY text rows, on the client's session. */
  async copyIn(copySql: string, data: Buffer): Promise<void> {
    await this.untilReady(serialize.query(copySql), (type) => {
      if (type === Backend.CopyInResponse) this.port.writeUpstream(Buffer.concat([serialize.copyData(data), serialize.copyDone()]));
    });
  }

  /**
   * The extended-protocol twin of relay: one statement with parameters, its rows and command tag
   * passed to the client (its columns were given by Describe already).
   */
  async relayExtended(sql: string, params: ReadonlyArray<string | null>, resultFormats: readonly number[] = []): Promise<{ failed: boolean }> {
    let failed = false;
    const bytes = Buffer.concat([
      serialize.parse({ text: sql }),
      bindMessage({ values: params, resultFormats }),
      serialize.execute(),
      serialize.sync(),
    ]);
    await this.exchange(bytes, (type, body, raw) => {
      if (type === Backend.ReadyForQuery) return this.readyForQuery(body);
      if (type === Backend.ParseComplete || type === Backend.BindComplete) return false;
      if (type === Backend.ErrorResponse) failed = true;
      this.port.writeClient(raw);
      return false;
    });
    return { failed };
  }

  /**
   * Sends statements as a simple Query and passes their answers to the client, all but the
   * closing ReadyForQuery, which the caller sends once the whole client message is done.
   */
  async relay(sql: string): Promise<{ failed: boolean }> {
    let failed = false;
    await this.exchange(serialize.query(sql), (type, body, raw) => {
      if (type === Backend.ReadyForQuery) return this.readyForQuery(body);
      if (type === Backend.CopyInResponse) {
        // The client's input is held while the proxy runs this message, so it cannot stream COPY data.
        this.port.writeUpstream(
          serialize.copyFail('COPY FROM STDIN cannot share a query message with a model statement; send it on its own'),
        );
        return false;
      }
      if (type === Backend.ErrorResponse) failed = true;
      this.port.writeClient(raw);
      return false;
    });
    return { failed };
  }

  /**
   * Puts the upstream transaction into the failed state, as the client's failed statement would
   * have, so that PostgreSQL and the client agree on what happens next.
   */
  async abortTransaction(): Promise<void> {
    await this.exchange(
      serialize.query(
        "DO $modelgres$ BEGIN RAISE EXCEPTION USING ERRCODE = 'XX000', MESSAGE = 'modelgres: statement failed'; END $modelgres$",
      ),
      (type, body) => {
        if (type === Backend.ReadyForQuery) return this.readyForQuery(body);
        return false;
      },
    );
  }

  /**
   * The extended-protocol twin of abortTransaction: leaves the upstream skipping to the next Sync.
   *
   * It sends a Parse that cannot parse. PostgreSQL fails it before storing anything, so, unlike
   * the DO block once parsed here as the unnamed statement (which replaced the client's, so a
   * later Bind of it ran the proxy's block and answered XX000), no statement of the client's is
   * replaced or created. `statementName` is the client's refused Parse's own name when there is
   * one: '' then drops the unnamed statement, as PostgreSQL does before parsing any unnamed Parse.
   * Without it, a name no client uses leaves every statement as it was.
   */
  /**
   * Makes the implicit transaction of the client's unfinished extended-protocol group an explicit
   * one, so that the proxy's own exchanges (each ends with Sync) cannot commit it: BEGIN inside
   * an implicit block turns it into a transaction block that holds the group's earlier
   * statements (PostgreSQL's BeginTransactionBlock). No Sync is sent; the client's Sync ends it
   * (see endGroupTransaction). Returns false when the group had opened a transaction block of
   * its own (a client's BEGIN earlier in the group, as pgJDBC sends with autocommit off):
   * PostgreSQL's "already a transaction in progress" warning says so, and it is the client's to
   * end, not the Sync's.
   */
  async beginGroupTransaction(): Promise<boolean> {
    const bytes = Buffer.concat([serialize.parse({ text: 'BEGIN' }), serialize.bind({}), serialize.execute(), serialize.flush()]);
    let error: ErrorFields | null = null;
    let alreadyOpen = false;
    await this.exchange(
      bytes,
      (type, body, raw) => {
        if (type === Backend.NoticeResponse) {
          // The warning answers the proxy's BEGIN, not anything the client sent: it stays here.
          if (decodeErrorFields(body).C === SqlState.activeSqlTransaction) alreadyOpen = true;
          else this.port.writeClient(raw);
          return false;
        }
        if (type === Backend.ErrorResponse) error = decodeErrorFields(body);
        return type === Backend.CommandComplete || type === Backend.ErrorResponse;
      },
      { notices: true },
    );
    if (error) throw upstreamError(error);
    this.port.setTransactionStatus('T');
    return !alreadyOpen;
  }

  /**
   * The client's Sync for a group whose transaction beginGroupTransaction made explicit: it ends
   * as the implicit one would have — committed, or rolled back after an error. A failed COMMIT
   * is thrown, as PostgreSQL reports it at the Sync.
   */
  async endGroupTransaction(): Promise<void> {
    await this.exchange(serialize.sync(), (type, body) => type === Backend.ReadyForQuery && this.readyForQuery(body));
    const status = this.transactionStatus();
    if (status === 'E') await this.query('ROLLBACK');
    else if (status === 'T') await this.query('COMMIT');
  }

  async failExtendedGroup(statementName = 'modelgres_failed_message'): Promise<void> {
    const bytes = Buffer.concat([
      serialize.parse({ name: statementName, text: 'modelgres statement failed' }),
      serialize.flush(),
    ]);
    await this.exchange(bytes, (type) => type === Backend.ErrorResponse);
  }
}

export function upstreamError(fields: ErrorFields): ClientError {
  const error = new ClientError(fields.C ?? SqlState.internalError, fields.M ?? 'upstream error', {
    detail: fields.D,
    hint: fields.H,
  });
  // A position in SQL the proxy wrote; the caller maps it into the client's text or drops it.
  if (fields.P) error.upstreamPosition = Number(fields.P);
  return error;
}

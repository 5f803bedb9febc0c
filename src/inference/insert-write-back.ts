import type { InsertStmt, Node } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import { commandComplete, type FieldDescription } from '../protocol/backend-messages.ts';
import { BinaryOid, encodeBinary } from '../protocol/binary-values.ts';
import { copyText } from '../protocol/copy-text.ts';
import { FLOAT8_TEXT_MAX_BYTES, writeFloat8Text } from '../protocol/float8-text.ts';
import { decodeTextRow } from '../protocol/decode-backend.ts';
import { inPipelinedTransaction } from '../session/own-transaction.ts';
import type { StatementContext } from '../session/statement-context.ts';
import type { RawQueryResult } from '../session/upstream-session.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { BATCH_ROWS, throwIfCanceled, type InferenceDeps } from './inference-deps.ts';
import type { PreparedMaterialized } from './materialized-inference.ts';
import { argumentFormats, openCalls, predictCalls } from './opened-calls.ts';
import { textOfPredictions, type PredictionColumn } from './predict-batch.ts';
import { spliceCopyBinary } from './row-splicer.ts';
import { versionQuery } from './resolve-model-version.ts';
import type { PreparedInference } from './streamed-inference.ts';

const CURSOR = 'modelgres_write_back';

/**
 * INSERT INTO t [(cols)] SELECT ..., f(...) ... where the SELECT streams: rows are fetched in
 * batches, predicted, and written to t with COPY, batch by batch, in the client's transaction.
 * Used only when COPY means what the INSERT means: every column keeps its type (no assignment
 * casts) and t has no row-level security; otherwise the statement is materialized.
 */
export interface PreparedWriteBack {
  kind: 'write-back';
  sql: string;
  target: string;
  columns: string[] | null;
  select: PreparedInference;
  /** The statement run the general way, when COPY would not mean the same. */
  fallback: PreparedMaterialized;
}

/** The parts of a plain INSERT ... SELECT, or null when it has more (ON CONFLICT, RETURNING, WITH, OVERRIDING). */
export function plainInsertSelect(stmt: Node | undefined): { target: string; columns: string[] | null; selectSql: string } | null {
  const insert: InsertStmt | undefined = stmt && 'InsertStmt' in stmt ? stmt.InsertStmt : undefined;
  if (!insert?.relation || !insert.selectStmt || insert.onConflictClause || insert.returningClause || insert.withClause) return null;
  if (insert.override && insert.override !== 'OVERRIDING_NOT_SET') return null;
  const select = 'SelectStmt' in insert.selectStmt ? insert.selectStmt.SelectStmt : undefined;
  if (!select || select.valuesLists) return null;
  return {
    target: deparseSync({ RangeVar: insert.relation }),
    columns: insert.cols ? insert.cols.flatMap((c) => ('ResTarget' in c ? [c.ResTarget.name ?? ''] : [])) : null,
    selectSql: deparseSync(insert.selectStmt),
  };
}

/** Runs the write-back; false when COPY would not mean the same, and nothing has been done. */
export async function executeWriteBack(
  prepared: PreparedWriteBack,
  context: StatementContext,
  deps: InferenceDeps,
  params: ReadonlyArray<string | null>,
): Promise<boolean> {
  const link = context.upstream;
  const select = prepared.select;
  // The arguments in binary where the proxy reads them so (argumentFormats), the rest as COPY text.
  const fetch = {
    sql: `FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`,
    resultFormats: [...argumentFormats(select.calls, deps), ...Array<number>(select.callAt.length).fill(0)],
  };
  const columnList = prepared.columns ? `(${prepared.columns.map(quoteIdent).join(', ')})` : '';
  const inserted = await inPipelinedTransaction(link, async (tx) => {
    const opened = await link.pipeline([
      ...select.calls.map((call) => versionQuery(call.function)),
      // The target's columns as COPY would fill them, and whether row-level security is on.
      {
        sql: `SELECT a.attname, a.atttypid::int, c.relrowsecurity
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
               WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
               ORDER BY a.attnum`,
        params: [prepared.target],
      },
      ...tx.begin,
      { sql: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${select.rewritten}`, params },
      fetch,
    ]);
    const rows = (i: number) => opened[i].rows.map(decodeTextRow);
    const first = opened.at(-1)!;
    if (!copyMeansInsert(rows(select.calls.length), prepared.columns, first, select.extra)) {
      await link.pipeline([{ sql: `CLOSE ${CURSOR}` }, ...(tx.own ? [{ sql: 'ROLLBACK' }] : [])]);
      return null;
    }
    const models = await openCalls(context, deps, select.calls, rows, 'written back');
    // The batches after the first in binary, where every column's type allows (binaryCopyFits).
    const binary = binaryCopyFits(first.fields.slice(select.extra), select.callAt);
    const fetchNext = binary ? { ...fetch, resultFormats: [...argumentFormats(select.calls, deps), ...Array<number>(select.callAt.length).fill(1)] } : fetch;
    let count = 0;
    let batch: RawQueryResult | null = first;
    while (batch && batch.rows.length > 0) {
      throwIfCanceled(context.signal);
      const n: number = batch.rows.length;
      // The next batch is fetched while this one is predicted: PostgreSQL and onnxruntime overlap.
      const next: Promise<RawQueryResult> | null = n === BATCH_ROWS ? link.pipeline([fetchNext]).then(([r]) => r) : null;
      const predictions = await predictCalls(models, batch, select.extra, deps, context.signal).catch(async (error: unknown) => {
        await next?.catch(() => {});
        throw error;
      });
      const inBinary = batch.fields[select.extra]?.format === 1;
      const data = inBinary ? copyBinary(batch, select, predictions) : copyLines(batch.rows, select, predictions);
      batch = await next;
      await link.copyIn(`COPY ${prepared.target} ${columnList} FROM STDIN${inBinary ? ' (FORMAT binary)' : ''}`, data);
      count += n;
    }
    await link.pipeline([{ sql: `CLOSE ${CURSOR}` }, ...tx.commit]);
    return count;
  });
  if (inserted === null) return false;
  context.send(commandComplete(`INSERT 0 ${inserted}`));
  return true;
}

/** COPY assigns no casts: every value must already have its column's type. */
function copyMeansInsert(
  target: Array<Array<string | null>>,
  columns: string[] | null,
  first: RawQueryResult,
  extra: number,
): boolean {
  if (target.length === 0 || target[0][2] === 't') return false;
  const types = new Map(target.map(([name, oid]) => [name!, Number(oid)]));
  const names = columns ?? target.map(([name]) => name!);
  const produced = first.fields.slice(extra);
  if (produced.length !== names.length) return false;
  return names.every((name, i) => types.get(name) === produced[i].typeOid);
}

/**
 * Types whose values go to COPY in binary as PostgreSQL sent them: built-in types whose send and
 * receive functions are each other's inverse (an extension's type may have no binary form at all).
 */
const COPIED_BINARY = new Set<number>(Object.values(BinaryOid).filter((oid) => oid !== BinaryOid.unknown));
/** The calls' column types whose predictions are written in binary: a regression's float8 (a class label's type keeps COPY text). */
const PREDICTED_BINARY = new Set<number>([BinaryOid.float8]);

/**
 * Whether the write-back's batches may come and go in binary (COPY ... (FORMAT binary)): every
 * column is of a type in COPIED_BINARY, every call's in PREDICTED_BINARY. Binary skips
 * formatting and parsing each value as text, on both sides.
 */
function binaryCopyFits(fields: readonly FieldDescription[], callAt: ReadonlyArray<number | null>): boolean {
  return fields.length === callAt.length && fields.every((f, i) => (callAt[i] === null ? COPIED_BINARY : PREDICTED_BINARY).has(f.typeOid));
}

/** A batch fetched with its client columns in binary, predictions in place, as COPY binary data. */
function copyBinary(batch: RawQueryResult, select: PreparedInference, predictions: PredictionColumn[]): Buffer {
  const columns = predictions.map((column, call) => {
    const typeOid = batch.fields[select.extra + select.callAt.indexOf(call)].typeOid;
    if (column instanceof Float32Array && typeOid === BinaryOid.float8) return column;
    return textOfPredictions(column).map((v) => {
      if (v === null) return null;
      const bytes = encodeBinary(typeOid, v);
      if (bytes === null) throw new Error(`modelgres cannot write ${JSON.stringify(v)} as binary of type ${typeOid}`);
      return bytes;
    });
  });
  return spliceCopyBinary(batch.rows, select.extra, select.callAt, columns);
}

/**
 * The client's columns of each row, predictions in place, as COPY text. The other values are
 * PostgreSQL's own text bytes, copied as they are unless they hold a character COPY escapes.
 */
function copyLines(rows: Buffer[], select: PreparedInference, predictions: PredictionColumn[]): Buffer {
  const out = new CopyTextBuilder(rows.reduce((size, row) => size + row.length, 0));
  for (let r = 0; r < rows.length; r++) {
    const body = rows[r];
    const columns = body.readInt16BE(0);
    let at = 2;
    for (let c = 0; c < columns; c++) {
      const length = body.readInt32BE(at);
      at += 4;
      const start = at;
      if (length > 0) at += length;
      if (c < select.extra) continue;
      if (c > select.extra) out.byte(TAB);
      const call = select.callAt[c - select.extra];
      const column = call === null ? null : predictions[call];
      if (column instanceof Float32Array) out.float8(column[r]);
      else if (column !== null) out.text(copyText(column[r]));
      else if (length < 0) out.text('\\N');
      else out.value(body, start, at);
    }
    out.byte(NEWLINE);
  }
  return out.done();
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BACKSLASH = 0x5c;

/** One batch of COPY text in one growing buffer. */
class CopyTextBuilder {
  private buffer: Buffer;
  private size = 0;

  constructor(estimate: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(1024, estimate));
  }

  byte(b: number): void {
    this.reserve(1);
    this.buffer[this.size++] = b;
  }

  text(s: string): void {
    this.reserve(Buffer.byteLength(s, 'utf8'));
    this.size += this.buffer.write(s, this.size, 'utf8');
  }

  /** A float8 value's text (nothing in it COPY escapes). */
  float8(v: number): void {
    this.reserve(FLOAT8_TEXT_MAX_BYTES);
    this.size = writeFloat8Text(this.buffer, this.size, v);
  }

  /** A value's text bytes, with backslash, tab and line breaks escaped as COPY wants. */
  value(source: Buffer, start: number, end: number): void {
    this.reserve(2 * (end - start));
    for (let i = start; i < end; i++) {
      const b = source[i];
      if (b === BACKSLASH || b === TAB || b === NEWLINE || b === CARRIAGE_RETURN) {
        this.buffer[this.size++] = BACKSLASH;
        this.buffer[this.size++] = b === BACKSLASH ? BACKSLASH : b === TAB ? 0x74 : b === NEWLINE ? 0x6e : 0x72;
      } else {
        this.buffer[this.size++] = b;
      }
    }
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.size);
  }

  private reserve(n: number): void {
    if (this.size + n <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.size + n));
    this.buffer.copy(bigger, 0, 0, this.size);
    this.buffer = bigger;
  }
}

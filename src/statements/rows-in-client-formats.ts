import { dataRow, type FieldDescription } from '../protocol/backend-messages.ts';
import { encodeBinary } from '../protocol/binary-values.ts';
import { decodeDataRow } from '../protocol/decode-backend.ts';
import { anyBinary, formatAt } from '../protocol/format-codes.ts';
import { Backend } from '../protocol/message-codes.ts';
import type { StatementContext } from '../session/statement-context.ts';
import type { UpstreamSession } from '../session/upstream-session.ts';

type Value = Buffer | null;
/** A value the proxy could not encode itself: PostgreSQL does it (see binaryFromPostgres). */
type Pending = { typeOid: number; text: string; row: Value[]; column: number };

/**
 * Runs a statement whose handler answers in text (the ML statements) so that its DataRows reach
 * the client in the formats its Bind asked for: each binary column is encoded by its declared
 * type. A value the proxy cannot encode itself (a timestamptz under a DateStyle other than ISO)
 * is encoded by PostgreSQL, in the session; from the first such value on, the answer is held and
 * sent, in order, once the statement is done.
 */
export async function rowsInClientFormats<C extends StatementContext>(
  context: C,
  columns: readonly FieldDescription[] | null,
  formats: readonly number[],
  run: (context: C) => Promise<void>,
): Promise<void> {
  if (!columns || !anyBinary(formats)) return run(context);
  const held: Array<Buffer | { row: Value[] }> = [];
  const pending: Pending[] = [];
  const send = (message: Buffer) => {
    if (message[0] !== Backend.DataRow) {
      if (held.length > 0) held.push(message);
      else context.send(message);
      return;
    }
    const values = decodeDataRow(message.subarray(5));
    const row: Value[] = [];
    values.forEach((v, i) => {
      if (v === null || formatAt(formats, i) === 0 || !columns[i]) {
        row.push(v);
        return;
      }
      const text = v.toString('utf8');
      const binary = encodeBinary(columns[i].typeOid, text);
      if (binary === null) pending.push({ typeOid: columns[i].typeOid, text, row, column: i });
      row.push(binary);
    });
    if (held.length > 0 || pending.length > 0) held.push({ row });
    else context.send(dataRow(row));
  };
  const flush = async () => {
    if (held.length === 0) return;
    const encoded = await binaryFromPostgres(context.upstream, pending);
    pending.forEach((p, i) => (p.row[p.column] = encoded[i]));
    for (const m of held) context.send(Buffer.isBuffer(m) ? m : dataRow(m.row));
  };
  try {
    await run({ ...context, send });
  } catch (error) {
    // PostgreSQL sends the rows before its error too; if they cannot be encoded now, the error alone goes.
    await flush().catch(() => {});
    throw error;
  }
  await flush();
}

/**
 * The binary form of values given in PostgreSQL's text, by the types' own send functions (named
 * in pg_type), so that any session, of the proxy's or of pg, can answer it as text.
 */
async function binaryFromPostgres(upstream: UpstreamSession, values: readonly Pending[]): Promise<Buffer[]> {
  if (values.length === 0) return [];
  const oids = [...new Set(values.map((v) => v.typeOid))];
  const types = await upstream.query(
    `SELECT t.oid::int, t.typsend::regproc::text, format_type(t.oid, NULL) FROM pg_type t WHERE t.oid = ANY($1::oid[])`,
    [`{${oids.join(',')}}`],
  );
  const byOid = new Map(types.rows.map(([oid, send, name]) => [Number(oid), { send: send!, name: name! }]));
  const expressions = values.map((v, i) => {
    const type = byOid.get(v.typeOid);
    if (!type) throw new Error(`type ${v.typeOid} not found in pg_type`);
    return `encode(${type.send}($${i + 1}::${type.name}), 'base64')`;
  });
  const result = await upstream.query(`SELECT ${expressions.join(', ')}`, values.map((v) => v.text));
  return result.rows[0].map((v) => Buffer.from(v ?? '', 'base64'));
}

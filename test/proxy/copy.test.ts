import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, names, RawClient } from '../support/raw-client.ts';

const ROWS = 100_000;
const TABLE = `copy_t_${process.pid}`;

let proxy: TestProxy;
let direct: pg.Client;
const raws: RawClient[] = [];

beforeAll(async () => {
  proxy = await startTestProxy();
  direct = await proxy.direct();
  await direct.query(`drop table if exists ${TABLE}; create table ${TABLE} (n int primary key, s text, x float8)`);
});
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await direct?.query(`drop table if exists ${TABLE}`);
  await proxy.close();
});

/** Row n as COPY text: a tab inside a value is escaped as \t, a backslash as \\. */
function line(n: number): string {
  const s = n % 1000 === 0 ? `tab\\there back\\\\slash ${n}` : `row-${n}-${'é'.repeat(n % 7)}`;
  const x = n % 10 === 0 ? '\\N' : String(n / 8);
  return `${n}\t${s}\t${x}\n`;
}

function expectedText(): string {
  let out = '';
  for (let n = 1; n <= ROWS; n++) out += line(n);
  return out;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A writable that hashes and counts what it receives. */
function hashSink(): { sink: Writable; result: () => { sha: string; bytes: number } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb();
    },
  });
  return { sink, result: () => ({ sha: hash.digest('hex'), bytes }) };
}

/** Rows in chunks of a few hundred, so COPY data arrives in many CopyData messages. */
function rowSource(): Readable {
  let n = 1;
  return new Readable({
    read() {
      if (n > ROWS) {
        this.push(null);
        return;
      }
      let chunk = '';
      for (let i = 0; i < 337 && n <= ROWS; i++) chunk += line(n++);
      this.push(Buffer.from(chunk, 'utf8'));
    },
  });
}

describe('COPY through the proxy', () => {
  test(`COPY FROM STDIN loads ${ROWS} rows exactly, and COPY TO STDOUT gives the same bytes back`, async () => {
    const c = await proxy.client();
    const stream = c.query(copyFrom(`copy ${TABLE} from stdin`));
    await pipeline(rowSource(), stream);
    expect(stream.rowCount).toBe(ROWS);

    // What PostgreSQL stored, checked on a direct connection.
    const text = expectedText();
    const stored = await direct.query(
      `select count(*)::int as count, sum(n)::int8 as sum, count(x)::int as xs,
              md5(string_agg(n || E'\\t' || s || E'\\t' || coalesce(x::text, 'NULL'), E'\\n' order by n)) as digest
         from ${TABLE}`,
    );
    let expectedAgg = '';
    for (let n = 1; n <= ROWS; n++) {
      const s = n % 1000 === 0 ? `tab\there back\\slash ${n}` : `row-${n}-${'é'.repeat(n % 7)}`;
      expectedAgg += `${n === 1 ? '' : '\n'}${n}\t${s}\t${n % 10 === 0 ? 'NULL' : String(n / 8)}`;
    }
    expect(stored.rows[0]).toEqual({
      count: ROWS,
      sum: String((ROWS * (ROWS + 1)) / 2),
      xs: ROWS - ROWS / 10,
      digest: createHash('md5').update(expectedAgg, 'utf8').digest('hex'),
    });

    // Back out through the proxy: byte for byte what went in.
    const out = hashSink();
    const copyOut = c.query(copyTo(`copy ${TABLE} to stdout`));
    await pipeline(copyOut, out.sink);
    expect(out.result()).toEqual({ sha: sha256(Buffer.from(text, 'utf8')), bytes: Buffer.byteLength(text, 'utf8') });
    expect(copyOut.rowCount).toBe(ROWS);

    // Binary COPY: the proxy's bytes equal PostgreSQL's own.
    const binViaProxy = hashSink();
    await pipeline(c.query(copyTo(`copy ${TABLE} to stdout (format binary)`)), binViaProxy.sink);
    const binDirect = hashSink();
    await pipeline(direct.query(copyTo(`copy ${TABLE} to stdout (format binary)`)), binDirect.sink);
    expect(binViaProxy.result()).toEqual(binDirect.result());

    expect((await c.query('select 1 as after_copy')).rows).toEqual([{ after_copy: 1 }]);
  });

  test('COPY (select ...) TO STDOUT in CSV with a header', async () => {
    const c = await proxy.client();
    const out: Buffer[] = [];
    await pipeline(
      c.query(copyTo(`copy (select g as n, 'v,' || g as label, null::text as nothing from generate_series(1, 3) g) to stdout with (format csv, header)`)),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          out.push(chunk);
          cb();
        },
      }),
    );
    expect(Buffer.concat(out).toString('utf8')).toBe('n,label,nothing\n1,"v,1",\n2,"v,2",\n3,"v,3",\n');
  });

  test('a CopyFail from the client (pg-copy-streams destroy) leaves the table unchanged and the session usable', async () => {
    const table = `${TABLE}_fail`;
    await direct.query(`create table ${table} (n int); insert into ${table} values (1), (2)`);
    const c = await proxy.client();
    const stream = c.query(copyFrom(`copy ${table} from stdin`));
    stream.write('10\n11\n12\n');
    const failure = await new Promise<unknown>((resolve) => {
      stream.on('error', resolve);
      stream.destroy(new Error('the client changed its mind'));
    });
    expect(failure).toMatchObject({ code: '57014' });
    expect(String((failure as Error).message)).toContain('the client changed its mind');
    expect((await c.query(`select array_agg(n order by n) as ns from ${table}`)).rows[0].ns).toEqual([1, 2]);
    expect((await direct.query(`select count(*)::int as n from ${table}`)).rows[0].n).toBe(2);
    await direct.query(`drop table ${table}`);
  });

  test('CopyFail on the wire: ErrorResponse 57014 then ReadyForQuery, in a transaction it aborts it', async () => {
    const table = `${TABLE}_rawfail`;
    await direct.query(`create table ${table} (n int)`);
    const c = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
    raws.push(c);

    c.write(serialize.query(`copy ${table} from stdin`));
    const start = await c.next();
    expect(start.name).toBe('copyInResponse');
    c.write([serialize.copyData(Buffer.from('1\n2\n')), serialize.copyFail('stop right there')]);
    const failed = await c.readUntilReady();
    expect(names(failed)).toEqual(['error', 'readyForQuery']);
    expect(failed[0]).toMatchObject({ code: '57014', message: 'COPY from stdin failed: stop right there' });
    expect(failed[1].status).toBe('I');

    // Inside an explicit transaction the failed COPY aborts it, as PostgreSQL does.
    expect((await c.query('begin')).map((m) => m.name)).toEqual(['commandComplete', 'readyForQuery']);
    c.write(serialize.query(`copy ${table} from stdin`));
    expect((await c.next()).name).toBe('copyInResponse');
    c.write([serialize.copyData(Buffer.from('3\n')), serialize.copyFail('again')]);
    const inTx = await c.readUntilReady();
    expect(inTx[inTx.length - 1].status).toBe('E');
    const rolledBack = await c.query('rollback');
    expect(rolledBack[rolledBack.length - 1].status).toBe('I');

    // A good COPY afterwards works, with CopyDone.
    c.write(serialize.query(`copy ${table} from stdin`));
    expect((await c.next()).name).toBe('copyInResponse');
    c.write([serialize.copyData(Buffer.from('7\n8')), serialize.copyData(Buffer.from('\n9\n')), serialize.copyDone()]);
    const done = await c.readUntilReady();
    expect(names(done)).toEqual(['commandComplete', 'readyForQuery']);
    expect(done[0].text).toBe('COPY 3');
    expect((await direct.query(`select array_agg(n order by n) as ns from ${table}`)).rows[0].ns).toEqual([7, 8, 9]);
    await direct.query(`drop table ${table}`);
  });

  test('malformed COPY data is PostgreSQL’s error (22P02), and the session goes on', async () => {
    const table = `${TABLE}_bad`;
    await direct.query(`create table ${table} (n int)`);
    const c = await proxy.client();
    const stream = c.query(copyFrom(`copy ${table} from stdin`));
    const error = await pipeline(Readable.from([Buffer.from('1\nnot a number\n3\n')]), stream).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: '22P02' });
    expect((await c.query(`select count(*)::int as n from ${table}`)).rows[0].n).toBe(0);
    await direct.query(`drop table ${table}`);
  });

  test('COPY over the extended protocol, then an ML statement in the same write: answers stay in order', async () => {
    const table = `${TABLE}_ext`;
    await direct.query(`create table ${table} (n int)`);
    const c = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
    raws.push(c);
    c.write([
      serialize.parse({ text: `copy ${table} from stdin` }),
      serialize.bind({}),
      serialize.execute(),
      serialize.flush(),
    ]);
    expect(names(await c.readUntil((m) => m.name === 'copyInResponse'))).toEqual(['parseComplete', 'bindComplete', 'copyInResponse']);
    c.write([
      serialize.copyData(Buffer.from('1\n2\n')),
      serialize.copyData(Buffer.from('3\n')),
      serialize.copyDone(),
      serialize.sync(),
      serialize.query(`drop model if exists no_such_model_${process.pid}`),
      serialize.parse({ text: `copy (select n from ${table} order by n) to stdout` }),
      serialize.bind({}),
      serialize.execute(),
      serialize.sync(),
    ]);
    const copied = await c.readUntilReady();
    expect(names(copied)).toEqual(['commandComplete', 'readyForQuery']);
    expect(copied[0].text).toBe('COPY 3');
    const ml = await c.readUntilReady();
    expect(names(ml)).toEqual(['notice', 'commandComplete', 'readyForQuery']);
    expect(ml[1].text).toBe('DROP MODEL');
    const out = await c.readUntilReady();
    expect(names(out)).toEqual(['parseComplete', 'bindComplete', 'copyOutResponse', 'copyData', 'copyData', 'copyData', 'copyDone', 'commandComplete', 'readyForQuery']);
    expect(out.filter((m) => m.name === 'copyData').map((m) => (m.chunk as Buffer).toString())).toEqual(['1\n', '2\n', '3\n']);
    await direct.query(`drop table ${table}`);
  });
});

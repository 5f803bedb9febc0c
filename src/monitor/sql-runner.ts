import type pg from 'pg';

/** What measuring needs of a connection: run a statement, get its columns and text rows. */
export interface SqlRunner {
  query(
    sql: string,
    params?: ReadonlyArray<string | null>,
  ): Promise<{ fields: Array<{ name: string; typeOid: number }>; rows: Array<Array<string | null>>; command: string }>;
}

/** A pg connection as a SqlRunner: values stay PostgreSQL's text, as on the client's own session. */
export function sqlRunnerOf(client: pg.ClientBase): SqlRunner {
  return {
    async query(sql, params = []) {
      const r = await client.query({
        text: sql,
        values: params as unknown[],
        rowMode: 'array',
        types: { getTypeParser: () => (value: string) => value },
      } as pg.QueryArrayConfig);
      return {
        fields: r.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID })),
        rows: r.rows as Array<Array<string | null>>,
        command: r.command,
      };
    },
  };
}

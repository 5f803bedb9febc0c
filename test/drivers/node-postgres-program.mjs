// The node-postgres (pg) driver program: run by node-postgres.test.ts as `node node-postgres-program.mjs URL`, creating
// the model first when CREATE_MODEL_SQL is set.
// Prints one JSON report (driver-fixture.ts, DriverReport) on its last line.
import pg from 'pg';

const [url] = process.argv.slice(2);
const client = new pg.Client(url);
await client.connect();
const report = { driver: 'node-postgres' };

if (process.env.CREATE_MODEL_SQL) await client.query(process.env.CREATE_MODEL_SQL);
report.wait = (await client.query('WAIT FOR MODEL drv_model')).rows[0].state;

// A named statement: parsed once, then Bind/Execute only.
report.prepared = [];
for (let i = 0; i < 12; i++) {
  const a = i * 0.75, b = 9 - i * 0.5;
  const r = await client.query({ name: 'drv_call', text: 'SELECT drv_fn($1, $2) AS label', values: [a, b] });
  report.prepared.push({ a, b, label: r.rows[0].label });
}

// A portal read 500 rows per Execute: pg asks for more on each PortalSuspended.
let suspended = 0;
const onSuspended = () => suspended++;
client.connection.on('portalSuspended', onSuspended);
const fetched = await client.query({
  text: 'SELECT id, drv_fn(a, b) AS label, drv_fn_probabilities(a, b) AS p FROM drv_points WHERE id <= $1 ORDER BY id',
  values: [10000],
  rows: 500,
});
client.connection.off('portalSuspended', onSuspended);
report.fetched = {
  ids: fetched.rows.map((r) => r.id),
  labels: fetched.rows.map((r) => r.label),
  probabilities: fetched.rows.map((r) => r.p),
};
report.portalSuspensions = suspended;

report.probabilities = [];
for (const [a, b] of [[0.5, 0.5], [5, 5], [9.5, 9.5]]) {
  const r = await client.query({ name: 'drv_probabilities', text: 'SELECT drv_fn_probabilities($1, $2) AS p', values: [a, b] });
  report.probabilities.push({ a, b, value: r.rows[0].p });
}

const show = await client.query('SHOW MODEL drv_model');
report.showModel = Object.fromEntries(show.rows.filter((r) => r.Key).map((r) => [r.Key, r.Value]));

// The function list as a tool reads pg_catalog (argument names and types by position).
const fns = await client.query(`
  SELECT p.proname AS name, a.ord, p.proargnames[a.ord] AS arg, t.typname AS type
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    CROSS JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(typ, ord)
    JOIN pg_type t ON t.oid = a.typ
   WHERE n.nspname = current_schema() AND p.proname LIKE 'drv\\_fn%'
   ORDER BY p.proname, a.ord`);
const byName = new Map();
for (const r of fns.rows) {
  if (!byName.has(r.name)) byName.set(r.name, []);
  byName.get(r.name).push({ name: r.arg, type: r.type });
}
report.functions = [...byName].map(([name, columns]) => ({ name, columns }));

try {
  await client.query('SHOW MODEL no_such_model');
  throw new Error('SHOW MODEL no_such_model succeeded');
} catch (e) {
  if (!(e instanceof pg.DatabaseError)) throw e;
  report.error = { sqlstate: e.code, type: e.constructor.name };
}

await client.end();
console.log(JSON.stringify(report));

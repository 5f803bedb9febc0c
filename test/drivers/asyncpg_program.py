"""The asyncpg driver program: run by asyncpg.test.ts as `python3 asyncpg_program.py URL`, creating
the model first when CREATE_MODEL_SQL is set. Prints one JSON report (driver-fixture.ts,
DriverReport) on its last line. asyncpg asks for binary results on every query."""
import asyncio
import json
import os
import sys

import asyncpg


async def main(url):
    report = {'driver': 'asyncpg'}
    conn = await asyncpg.connect(url)
    try:
        if os.environ.get('CREATE_MODEL_SQL'):
            await conn.execute(os.environ['CREATE_MODEL_SQL'])
        report['wait'] = (await conn.fetchrow('WAIT FOR MODEL drv_model'))['state']

        # A prepared statement, executed 12 times.
        call = await conn.prepare('SELECT drv_fn($1, $2) AS label')
        report['prepared'] = []
        for i in range(12):
            a, b = i * 0.75, 9 - i * 0.5
            report['prepared'].append({'a': a, 'b': b, 'label': await call.fetchval(a, b)})

        # A cursor: a portal read with Execute limits of 500 rows, inside a transaction.
        ids, labels, probabilities = [], [], []
        async with conn.transaction():
            query = 'SELECT id, drv_fn(a, b) AS label, drv_fn_probabilities(a, b) AS p FROM drv_points WHERE id <= $1 ORDER BY id'
            async for row in conn.cursor(query, 10000, prefetch=500):
                ids.append(row['id'])
                labels.append(row['label'])
                probabilities.append(json.loads(row['p']))  # jsonb arrives as text
        report['fetched'] = {'ids': ids, 'labels': labels, 'probabilities': probabilities}

        probs = await conn.prepare('SELECT drv_fn_probabilities($1, $2) AS p')
        report['probabilities'] = [
            {'a': a, 'b': b, 'value': json.loads(await probs.fetchval(a, b))} for a, b in [(0.5, 0.5), (5.0, 5.0), (9.5, 9.5)]
        ]

        rows = await conn.fetch('SHOW MODEL drv_model')
        report['showModel'] = {r['Key']: r['Value'] for r in rows if r['Key']}

        # The function list as a tool reads pg_catalog (argument types by position).
        functions = {}
        for r in await conn.fetch(r"""
            SELECT p.proname AS name, a.ord, p.proargnames[a.ord] AS arg, t.typname AS type
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              CROSS JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(typ, ord)
              JOIN pg_type t ON t.oid = a.typ
             WHERE n.nspname = current_schema() AND p.proname LIKE 'drv\_fn%'
             ORDER BY p.proname, a.ord"""):
            functions.setdefault(r['name'], []).append({'name': r['arg'], 'type': r['type']})
        report['functions'] = [{'name': n, 'columns': c} for n, c in functions.items()]

        try:
            await conn.fetch('SHOW MODEL no_such_model')
            raise SystemExit('SHOW MODEL no_such_model succeeded')
        except asyncpg.PostgresError as e:
            report['error'] = {'sqlstate': e.sqlstate, 'type': f'{type(e).__module__}.{type(e).__name__}'}
    finally:
        await conn.close()
    print(json.dumps(report))


asyncio.run(main(sys.argv[1]))

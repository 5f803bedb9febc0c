"""The psycopg 3 driver program: run by psycopg.test.ts as `python3 psycopg_program.py URL [--binary]`,
creating the model first when CREATE_MODEL_SQL is set. Prints one JSON report (driver-fixture.ts,
DriverReport) on its last line. --binary asks for binary parameters (%b) and binary results."""
import json
import os
import sys

import psycopg
from psycopg.rows import dict_row

url, binary = sys.argv[1], '--binary' in sys.argv[2:]
p = '%b' if binary else '%s'
report = {'driver': 'psycopg'}

with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
    if os.environ.get('CREATE_MODEL_SQL'):
        conn.execute(os.environ['CREATE_MODEL_SQL'])
    report['wait'] = conn.execute('WAIT FOR MODEL drv_model').fetchone()['state']

    # prepare=True: a named server statement from the first execution (past prepare_threshold anyway).
    report['prepared'] = []
    for i in range(12):
        a, b = i * 0.75, 9 - i * 0.5
        row = conn.execute(f'SELECT drv_fn({p}, {p}) AS label', (a, b), prepare=True, binary=binary).fetchone()
        report['prepared'].append({'a': a, 'b': b, 'label': row['label']})

    # A server-side cursor: DECLARE, then FETCH FORWARD 500 until done, inside a transaction.
    ids, labels, probabilities = [], [], []
    with conn.transaction():
        with conn.cursor(name='drv_fetch', binary=binary) as cur:
            cur.itersize = 500
            cur.execute(f'SELECT id, drv_fn(a, b) AS label, drv_fn_probabilities(a, b) AS p FROM drv_points WHERE id <= {p} ORDER BY id', (10000,))
            for row in cur:
                ids.append(row['id'])
                labels.append(row['label'])
                probabilities.append(row['p'])  # jsonb, loaded by psycopg
    report['fetched'] = {'ids': ids, 'labels': labels, 'probabilities': probabilities}

    report['probabilities'] = []
    for a, b in [(0.5, 0.5), (5.0, 5.0), (9.5, 9.5)]:
        row = conn.execute(f'SELECT drv_fn_probabilities({p}, {p}) AS p', (a, b), prepare=True, binary=binary).fetchone()
        report['probabilities'].append({'a': a, 'b': b, 'value': row['p']})

    rows = conn.execute('SHOW MODEL drv_model').fetchall()
    report['showModel'] = {r['Key']: r['Value'] for r in rows if r['Key']}

    # The function list as a tool reads pg_catalog (argument types by position).
    functions = {}
    for r in conn.execute(r"""
        SELECT p.proname AS name, a.ord, p.proargnames[a.ord] AS arg, t.typname AS type
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          CROSS JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(typ, ord)
          JOIN pg_type t ON t.oid = a.typ
         WHERE n.nspname = current_schema() AND p.proname LIKE 'drv\_fn%%'
         ORDER BY p.proname, a.ord""", prepare=False):
        functions.setdefault(r['name'], []).append({'name': r['arg'], 'type': r['type']})
    report['functions'] = [{'name': n, 'columns': c} for n, c in functions.items()]

    try:
        conn.execute('SHOW MODEL no_such_model')
        raise SystemExit('SHOW MODEL no_such_model succeeded')
    except psycopg.Error as e:
        report['error'] = {'sqlstate': e.sqlstate, 'type': f'{type(e).__module__}.{type(e).__name__}'}

print(json.dumps(report))
